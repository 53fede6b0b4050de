  // Tessera (scripts/hnswlib-simd.mjs adds this method when it rebuilds the addon):
  // addPointsParallel(vectors: Float32Array, firstLabel: number, threads: number) adds the
  // rows of `vectors` (row-major, dim floats each) with labels firstLabel, firstLabel + 1, …
  // on `threads` threads — hnswlib's addPoint is thread-safe; the first row goes in alone, as
  // hnswlib's own Python bindings do. Blocks the calling (worker) thread until done.
  Napi::Value addPointsParallel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "Expected (Float32Array, firstLabel, threads).").ThrowAsJavaScriptException();
      return env.Null();
    }
    if (index_ == nullptr) {
      Napi::Error::New(env, "Search index has not been initialized, call `initIndex` in advance.").ThrowAsJavaScriptException();
      return env.Null();
    }
    Napi::Float32Array arr = info[0].As<Napi::Float32Array>();
    if (arr.ElementLength() % dim_ != 0) {
      Napi::Error::New(env, "The array length is not a multiple of the dimension.").ThrowAsJavaScriptException();
      return env.Null();
    }
    const size_t n = arr.ElementLength() / dim_;
    const size_t first = info[1].As<Napi::Number>().Uint32Value();
    const size_t threads = std::max<uint32_t>(1, info[2].As<Napi::Number>().Uint32Value());
    const float* data = arr.Data();
    std::atomic<size_t> next(0);
    std::mutex errMutex;
    std::string error;
    auto work = [&]() {
      std::vector<float> vec(dim_);
      for (;;) {
        const size_t i = next.fetch_add(1);
        if (i >= n) return;
        std::copy(data + i * dim_, data + (i + 1) * dim_, vec.begin());
        if (normalize_) normalizePoint(vec);
        try {
          index_->addPoint(reinterpret_cast<void*>(vec.data()), static_cast<hnswlib::labeltype>(first + i));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(errMutex);
          if (error.empty()) error = e.what();
          next.store(n);
          return;
        }
      }
    };
    if (n > 0) {
      // The entry point first, alone; then every thread (this one included) takes rows in turn.
      {
        std::vector<float> vec(data, data + dim_);
        if (normalize_) normalizePoint(vec);
        try {
          index_->addPoint(reinterpret_cast<void*>(vec.data()), static_cast<hnswlib::labeltype>(first));
        } catch (const std::exception& e) {
          Napi::Error::New(env, "Hnswlib Error: " + std::string(e.what())).ThrowAsJavaScriptException();
          return env.Null();
        }
      }
      next.store(1);
      std::vector<std::thread> pool;
      for (size_t t = 1; t < threads && t < n; t++) pool.emplace_back(work);
      work();
      for (auto& th : pool) th.join();
    }
    if (!error.empty()) {
      Napi::Error::New(env, "Hnswlib Error: " + error).ThrowAsJavaScriptException();
      return env.Null();
    }
    return env.Null();
  }

