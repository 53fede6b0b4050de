;; ann/simd/kernels.wat — batch distance kernels in WebAssembly SIMD (f32x4), the exact
;; scan's inner loop. The memory is imported: src/ann/simd.ts instantiates the module once per
;; vector memory (storage/vector-memory.ts), so rows stored there are read in place, and once
;; over a scratch memory into which rows held elsewhere are copied.
;; Rebuilt into kernels-wasm.ts by `node scripts/build-wasm.mjs` (needs the wabt package).
;;
;; l2_below(q, data, n, dim, bar, out) → c: the rows i < n whose distance
;;   Σ_d (q[d] − data[i·dim + d])² is below bar, as c pairs (f32 distance, i32 i) at out
;; ip_below(q, data, n, dim, bar, out) → c: the same for −Σ_d q[d] · data[i·dim + d]
;; The scan's caller passes its top-k's admission bar, so the rows that lose (nearly all of a
;; large scan) cost no JavaScript at all: selecting them in JS was a third of the kernel's time.
;; bar = +inf keeps every row whose distance is not NaN.
;; l2_codes_below(q, codes, n, dim, bar, out) → c: the same over byte codes (ann/codes.ts):
;;   D = Σ_d (q[d] − codes[i·dim + d])² with q as int16 and codes as uint8, summed exactly in
;;   int32 (dim a multiple of 16, |q − code| ≤ 511), pairs (i32 D, i32 i) for D < bar (unsigned)
;; Pointers are byte offsets; dim is a multiple of 4; sums accumulate in float32 lanes, added
;; (l0 + l1) + (l2 + l3) at the end of each row — written inline: as a call it was a sixth of a
;; 10,000-row scan.
(module
  (import "env" "memory" (memory 1))
  (func (export "l2_below") (param $q i32) (param $data i32) (param $n i32) (param $dim i32) (param $bar f32) (param $out i32) (result i32)
    (local $c i32) (local $s f32) (local $i i32) (local $d i32) (local $row i32) (local $bytes i32) (local $acc v128) (local $acc2 v128) (local $x v128) (local $y v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $row (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        ;; two vectors per step (8 floats) while they fit, then one
        (block $tail
          (loop $pairs
            (br_if $tail (i32.gt_u (i32.add (local.get $d) (i32.const 32)) (local.get $bytes)))
            (local.set $x (f32x4.sub (v128.load (i32.add (local.get $q) (local.get $d))) (v128.load (i32.add (local.get $row) (local.get $d)))))
            (local.set $y (f32x4.sub (v128.load offset=16 (i32.add (local.get $q) (local.get $d))) (v128.load offset=16 (i32.add (local.get $row) (local.get $d)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $x))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $y) (local.get $y))))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $pairs)))
        (if (i32.lt_u (local.get $d) (local.get $bytes))
          (then
            (local.set $x (f32x4.sub (v128.load (i32.add (local.get $q) (local.get $d))) (v128.load (i32.add (local.get $row) (local.get $d)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $x))))))
        (local.set $s (f32.add
          (f32.add (f32x4.extract_lane 0 (local.tee $acc (f32x4.add (local.get $acc) (local.get $acc2)))) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (if (f32.lt (local.get $s) (local.get $bar))
          (then
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $s))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $i))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $c))
  (func (export "ip_below") (param $q i32) (param $data i32) (param $n i32) (param $dim i32) (param $bar f32) (param $out i32) (result i32)
    (local $c i32) (local $s f32) (local $i i32) (local $d i32) (local $row i32) (local $bytes i32) (local $acc v128) (local $acc2 v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $row (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $tail
          (loop $pairs
            (br_if $tail (i32.gt_u (i32.add (local.get $d) (i32.const 32)) (local.get $bytes)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $d))) (v128.load (i32.add (local.get $row) (local.get $d))))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (v128.load offset=16 (i32.add (local.get $q) (local.get $d))) (v128.load offset=16 (i32.add (local.get $row) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $pairs)))
        (if (i32.lt_u (local.get $d) (local.get $bytes))
          (then
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $d))) (v128.load (i32.add (local.get $row) (local.get $d))))))))
        (local.set $s (f32.neg (f32.add
          (f32.add (f32x4.extract_lane 0 (local.tee $acc (f32x4.add (local.get $acc) (local.get $acc2)))) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
        (if (f32.lt (local.get $s) (local.get $bar))
          (then
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $s))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $i))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $c))
  (func (export "l2_codes_below") (param $q i32) (param $codes i32) (param $n i32) (param $dim i32) (param $bar i32) (param $out i32) (result i32)
    (local $c i32) (local $i i32) (local $d i32) (local $row i32) (local $s i32) (local $acc v128) (local $v v128) (local $x v128)
    (local.set $row (local.get $codes))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        ;; 16 codes per step: widened to two int16x8 halves, differences squared and summed in pairs
        (loop $dims
          (local.set $v (v128.load (i32.add (local.get $row) (local.get $d))))
          (local.set $x (i16x8.sub (v128.load (i32.add (local.get $q) (i32.shl (local.get $d) (i32.const 1)))) (i16x8.extend_low_i8x16_u (local.get $v))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $x) (local.get $x))))
          (local.set $x (i16x8.sub (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $d) (i32.const 1)))) (i16x8.extend_high_i8x16_u (local.get $v))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $x) (local.get $x))))
          (br_if $dims (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $dim))))
        (local.set $s (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
          (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (if (i32.lt_u (local.get $s) (local.get $bar))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $s))
            (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $i))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (local.set $row (i32.add (local.get $row) (local.get $dim)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $c)))
