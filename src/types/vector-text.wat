;; types/vector-text.wat — the common vector literal parsed in WebAssembly: plainVectorInto()
;; (vector-text.mjs) for tokens whose digits fit an int32, in one pass over the bytes, with the
;; same arithmetic (Clinger's fast path in f64, then f32.demote_f64, which rounds as
;; Math.fround does, and the same halfway test), so it returns the same floats or declines.
;; Rebuilt into vector-text-wasm.mjs by `node scripts/build-wasm.mjs` (needs the wabt package).
;;
;; Memory (exported, grown by the caller): the caller writes the exact powers of ten 10^0..10^22
;; as f64 at bytes 0..184, and puts the literals' bytes and the output floats above byte 256.
;;
;; vector_into(start, end, out, limit) → count, or -1: the literal at bytes [start, end) — `[`,
;;   decimal tokens (digits, optional fraction and exponent) separated by ',', optional
;;   whitespace, `]` — as float32 at out (byte offset, 4-aligned), at most `limit` of them.
;;   -1 for anything else, and for a token this path does not take (more than 9–10 digits, a
;;   power of ten beyond 10^±22, a float32 rounding the halfway test cannot vouch for): the
;;   caller then runs plainVectorInto(), which takes those or declines in turn.
;;   The byte at end − 1 after trailing whitespace must be ']', so no scan reads past it.
(module
  (memory (export "memory") 1)
  (func (export "vector_into") (param $start i32) (param $end i32) (param $out i32) (param $limit i32) (result i32)
    (local $i i32) (local $close i32) (local $c i32) (local $count i32) (local $neg i32) (local $m i32)
    (local $scale i32) (local $long i32) (local $digits i32) (local $at i32) (local $exp i32) (local $eneg i32)
    (local $ed i32) (local $d f64) (local $f f32) (local $h f64)
    (local.set $i (local.get $start))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $i) (local.get $end)))
      (br_if $b (i32.eqz (i32.or (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 9)) (i32.const 5)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.set $close (i32.sub (local.get $end) (i32.const 1)))
    (block $b (loop $l
      (br_if $b (i32.le_s (local.get $close) (local.get $i)))
      (br_if $b (i32.eqz (i32.or (i32.eq (i32.load8_u (local.get $close)) (i32.const 32)) (i32.lt_u (i32.sub (i32.load8_u (local.get $close)) (i32.const 9)) (i32.const 5)))))
      (local.set $close (i32.sub (local.get $close) (i32.const 1))) (br $l)))
    (if (i32.le_s (local.get $close) (local.get $i)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 91)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $close)) (i32.const 93)) (then (return (i32.const -1))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (loop $token
      (if (i32.ge_u (local.get $count) (local.get $limit)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $i)))
      (block $b (loop $l
        (br_if $b (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i))) (br $l)))
      (local.set $neg (i32.eq (local.get $c) (i32.const 45)))
      (if (local.get $neg) (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i)))))
      (local.set $m (i32.const 0))
      (local.set $scale (i32.const 0))
      (local.set $long (i32.const 0))
      (local.set $at (local.get $i))
      ;; integer digits (an int32 never overflows: past 214748363 `long` is set instead)
      (block $b (loop $l
        (br_if $b (i32.ge_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
        (if (i32.le_u (local.get $m) (i32.const 214748363))
          (then (local.set $m (i32.add (i32.mul (local.get $m) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48)))))
          (else (local.set $long (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i))) (br $l)))
      (local.set $digits (i32.sub (local.get $i) (local.get $at)))
      (if (i32.eq (local.get $c) (i32.const 46)) (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i)))
        (local.set $at (local.get $i))
        (block $b (loop $l
          (br_if $b (i32.ge_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
          (if (i32.le_u (local.get $m) (i32.const 214748363))
            (then (local.set $m (i32.add (i32.mul (local.get $m) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48)))))
            (else (local.set $long (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $c (i32.load8_u (local.get $i))) (br $l)))
        (local.set $scale (i32.sub (local.get $at) (local.get $i)))
        (local.set $digits (i32.add (local.get $digits) (i32.sub (local.get $i) (local.get $at))))))
      (if (i32.eqz (local.get $digits)) (then (return (i32.const -1))))
      ;; exponent: 'e' or 'E', optional sign, 1–4 digits
      (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 101)) (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i)))
        (local.set $eneg (i32.eq (local.get $c) (i32.const 45)))
        (if (i32.or (local.get $eneg) (i32.eq (local.get $c) (i32.const 43))) (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $c (i32.load8_u (local.get $i)))))
        (local.set $exp (i32.const 0))
        (local.set $ed (i32.const 0))
        (block $b (loop $l
          (br_if $b (i32.ge_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
          (if (i32.eq (local.get $ed) (i32.const 4)) (then (return (i32.const -1))))
          (local.set $exp (i32.add (i32.mul (local.get $exp) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
          (local.set $ed (i32.add (local.get $ed) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $c (i32.load8_u (local.get $i))) (br $l)))
        (if (i32.eqz (local.get $ed)) (then (return (i32.const -1))))
        (local.set $scale (i32.add (local.get $scale)
          (select (i32.sub (i32.const 0) (local.get $exp)) (local.get $exp) (local.get $eneg))))))
      ;; ',' or ']' or a space must follow
      (if (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 44)) (i32.eq (local.get $c) (i32.const 93)))
                           (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)))))
        (then (return (i32.const -1))))
      (if (local.get $long) (then (return (i32.const -1))))
      (if (i32.gt_u (i32.add (local.get $scale) (i32.const 22)) (i32.const 44)) (then (return (i32.const -1))))
      ;; Clinger: both operands exact, so the one operation rounds correctly
      (if (i32.ge_s (local.get $scale) (i32.const 0))
        (then (local.set $d (f64.mul (f64.convert_i32_u (local.get $m)) (f64.load (i32.shl (local.get $scale) (i32.const 3))))))
        (else (local.set $d (f64.div (f64.convert_i32_u (local.get $m))
          (f64.load (i32.shl (i32.sub (i32.const 0) (local.get $scale)) (i32.const 3)))))))
      (local.set $f (f32.demote_f64 (local.get $d)))
      ;; the halfway test (vector-text.mjs isStrtofRounding): h = 2d − f is a float32 only at a midpoint
      (if (f64.ne (f64.promote_f32 (local.get $f)) (local.get $d)) (then
        (local.set $h (f64.add (local.get $d) (f64.sub (local.get $d) (f64.promote_f32 (local.get $f)))))
        (if (f64.eq (f64.promote_f32 (f32.demote_f64 (local.get $h))) (local.get $h)) (then (return (i32.const -1))))))
      (if (local.get $neg) (then (local.set $f (f32.neg (local.get $f)))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))) (local.get $f))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (block $b (loop $l
        (br_if $b (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i))) (br $l)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $token (i32.eq (local.get $c) (i32.const 44))))
    (if (i32.or (i32.ne (local.get $c) (i32.const 93)) (i32.ne (local.get $i) (i32.add (local.get $close) (i32.const 1))))
      (then (return (i32.const -1))))
    (local.get $count))
)
