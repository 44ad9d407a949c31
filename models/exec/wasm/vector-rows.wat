;; The fp32 vector unit's element-wise rows in SIMD (models/exec/wasm/vector-rows.ts): add, sub,
;; mul, div of two operands and Where's select, over a broadcast's rows (kernel-util.ts
;; broadcastPlan): the output is `outer` rows of `len` contiguous elements, and over a row each
;; input either runs with the output (step 1, from its element offset bases[row]) or holds one
;; value (step 0). f32x4.add/sub/mul/div round like IEEE binary32 operations, which is what
;; JavaScript's float64 operation followed by the Float32Array store gives for binary32 operands
;; (53 >= 2 x 24 + 2 bits: rounding twice equals rounding once for these four operations).
;; Where selects bit patterns: x where the condition is not 0 (NaN included), else y. erf
;; runs kernel-util.ts erf's float64 operations in the same order, its exp being fdlibm's
;; e_exp.c as V8's Math.exp is (src/base/ieee754.cc, with its exp(1) = E special case), so the
;; bits are Math.exp's: checked against Math.exp on millions of arguments by the tests. Softmax
;; rows, layer and RMS norm rows (norm.ts's float64 sums in order) and a transpose's output rows
;; (bit patterns moved) are here too.
(module
  (memory (export "memory") 1)

  ;; binary(op, outer, len, aBases, bBases, aStep, bStep, a, b, o): op 0 add, 1 sub, 2 mul, 3 div;
  ;; byte addresses of the bases (i32 element offsets, one per row), the operands and the
  ;; output. A row: four elements at a time (an operand of step 0 splat once), then one at a time.
  (func (export "binary")
    (param $op i32) (param $outer i32) (param $len i32) (param $ab i32) (param $bb i32)
    (param $as i32) (param $bs i32) (param $a i32) (param $b i32) (param $o i32)
    (local $r i32) (local $j i32) (local $pa i32) (local $pb i32) (local $po i32)
    (local $va v128) (local $vb v128) (local $four i32)
    (local.set $four (i32.and (local.get $len) (i32.const -4)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $outer)))
        (local.set $pa (i32.add (local.get $a) (i32.shl (i32.load (i32.add (local.get $ab) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (i32.load (i32.add (local.get $bb) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $po (i32.add (local.get $o) (i32.shl (i32.mul (local.get $r) (local.get $len)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (local.set $va (v128.load32_splat (local.get $pa)))
        (local.set $vb (v128.load32_splat (local.get $pb)))
        (block $sub_or_more
          (block $add
            (br_if $add (i32.eqz (local.get $op)))
            (br $sub_or_more))
            ;; add
            (block $f_add
              (loop $l_add
                (br_if $f_add (i32.ge_u (local.get $j) (local.get $four)))
                (if (local.get $as) (then (local.set $va (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))))))
                (if (local.get $bs) (then (local.set $vb (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))))
                (v128.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2))) (f32x4.add (local.get $va) (local.get $vb)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $l_add)))
            (block $g_add
              (loop $m_add
                (br_if $g_add (i32.ge_u (local.get $j) (local.get $len)))
                (f32.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.add (f32.load (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $as))))
                    (f32.load (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $bs))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $m_add)))
          )
        (block $mul_or_more
          (block $sub
            (br_if $sub (i32.eq (local.get $op) (i32.const 1)))
            (br $mul_or_more))
            ;; sub
            (block $f_sub
              (loop $l_sub
                (br_if $f_sub (i32.ge_u (local.get $j) (local.get $four)))
                (if (local.get $as) (then (local.set $va (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))))))
                (if (local.get $bs) (then (local.set $vb (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))))
                (v128.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2))) (f32x4.sub (local.get $va) (local.get $vb)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $l_sub)))
            (block $g_sub
              (loop $m_sub
                (br_if $g_sub (i32.ge_u (local.get $j) (local.get $len)))
                (f32.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.sub (f32.load (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $as))))
                    (f32.load (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $bs))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $m_sub)))
          )
        (block $div_or_none
          (block $mul
            (br_if $mul (i32.eq (local.get $op) (i32.const 2)))
            (br $div_or_none))
            ;; mul
            (block $f_mul
              (loop $l_mul
                (br_if $f_mul (i32.ge_u (local.get $j) (local.get $four)))
                (if (local.get $as) (then (local.set $va (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))))))
                (if (local.get $bs) (then (local.set $vb (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))))
                (v128.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.get $va) (local.get $vb)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $l_mul)))
            (block $g_mul
              (loop $m_mul
                (br_if $g_mul (i32.ge_u (local.get $j) (local.get $len)))
                (f32.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.mul (f32.load (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $as))))
                    (f32.load (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $bs))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $m_mul)))
          )
        (if (i32.eq (local.get $op) (i32.const 3))
          (then
            ;; div
            (block $f_div
              (loop $l_div
                (br_if $f_div (i32.ge_u (local.get $j) (local.get $four)))
                (if (local.get $as) (then (local.set $va (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))))))
                (if (local.get $bs) (then (local.set $vb (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))))
                (v128.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2))) (f32x4.div (local.get $va) (local.get $vb)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $l_div)))
            (block $g_div
              (loop $m_div
                (br_if $g_div (i32.ge_u (local.get $j) (local.get $len)))
                (f32.store (i32.add (local.get $po) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.div (f32.load (i32.add (local.get $pa) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $as))))
                    (f32.load (i32.add (local.get $pb) (i32.mul (i32.shl (local.get $j) (i32.const 2)) (local.get $bs))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $m_div)))
          ))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; where(outer, len, cBases, xBases, yBases, cStep, xStep, yStep, c, x, y, o)
  (func (export "where")
    (param $outer i32) (param $len i32) (param $cb i32) (param $xb i32) (param $yb i32)
    (param $cs i32) (param $xs i32) (param $ys i32) (param $c i32) (param $x i32) (param $y i32) (param $o i32)
    (local $r i32) (local $j i32) (local $pc i32) (local $px i32) (local $py i32) (local $po i32) (local $four i32)
    (local $vc v128) (local $vx v128) (local $vy v128) (local $at i32)
    (local.set $four (i32.and (local.get $len) (i32.const -4)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $outer)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (i32.load (i32.add (local.get $cb) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $px (i32.add (local.get $x) (i32.shl (i32.load (i32.add (local.get $xb) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $py (i32.add (local.get $y) (i32.shl (i32.load (i32.add (local.get $yb) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $po (i32.add (local.get $o) (i32.shl (i32.mul (local.get $r) (local.get $len)) (i32.const 2))))
        (local.set $vc (f32x4.splat (f32.load (local.get $pc))))
        (local.set $vx (v128.load32_splat (local.get $px)))
        (local.set $vy (v128.load32_splat (local.get $py)))
        (local.set $j (i32.const 0))
        (block $four_done
          (loop $fours
            (br_if $four_done (i32.ge_u (local.get $j) (local.get $four)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (if (local.get $cs) (then (local.set $vc (v128.load (i32.add (local.get $pc) (local.get $at))))))
            (if (local.get $xs) (then (local.set $vx (v128.load (i32.add (local.get $px) (local.get $at))))))
            (if (local.get $ys) (then (local.set $vy (v128.load (i32.add (local.get $py) (local.get $at))))))
            (v128.store (i32.add (local.get $po) (local.get $at))
              (v128.bitselect (local.get $vx) (local.get $vy) (f32x4.ne (local.get $vc) (f32x4.splat (f32.const 0)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $fours)))
        (block $one_done
          (loop $ones
            (br_if $one_done (i32.ge_u (local.get $j) (local.get $len)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (i32.store (i32.add (local.get $po) (local.get $at))
              (select
                (i32.load (i32.add (local.get $px) (i32.mul (local.get $at) (local.get $xs))))
                (i32.load (i32.add (local.get $py) (i32.mul (local.get $at) (local.get $ys))))
                (f32.ne (f32.load (i32.add (local.get $pc) (i32.mul (local.get $at) (local.get $cs)))) (f32.const 0))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ones)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; exp(x), fdlibm's e_exp.c step by step (argument reduction x = k ln2 + r, |r| <= 0.5 ln2;
  ;; a rational approximation of exp(r); scaling by 2^k), as V8's base::ieee754::exp
  (func $exp (export "exp") (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64)
    (local $t f64) (local $c f64) (local $y f64) (local $twopk f64) (local $kf f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78...: NaN, +-Inf, overflow, underflow
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.ne (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x)))) (i32.const 0))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))))
    ;; argument reduction
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2))
          (then
            ;; V8: exp(1) is E (the reduction below gets its last bit wrong)
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 0x1.5bf0a8b145769p+1))))
            (local.set $hi (f64.sub (local.get $x) (select (f64.const -6.93147180369123816490e-01) (f64.const 6.93147180369123816490e-01) (local.get $xsb))))
            (local.set $lo (select (f64.const -1.90821492927058770002e-10) (f64.const 1.90821492927058770002e-10) (local.get $xsb)))
            (local.set $k (i32.sub (i32.const 1) (i32.shl (local.get $xsb) (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $kf (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $kf) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $kf) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    ;; x is now in the primary range
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
      (i32.add (i32.const 0x3ff00000) (i32.shl (select (local.get $k) (i32.add (local.get $k) (i32.const 1000)) (i32.ge_s (local.get $k) (i32.const -1021))) (i32.const 20))))
      (i64.const 32))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
        (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
          (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
            (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (f64.const 1)
        (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1)
      (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))))
        (return (f64.mul (local.get $y) (local.get $twopk)))))
    (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 0x1p-1000)))

;; both lanes in fdlibm's ordinary range (2^-28 <= |x| < 700, x != 1), given |x|
  (func $ordinary (param $x v128) (param $ax v128) (result i32)
    (i64x2.all_true (v128.and (v128.and
      (f64x2.ge (local.get $ax) (f64x2.splat (f64.const 0x1p-28)))
      (f64x2.lt (local.get $ax) (f64x2.splat (f64.const 700))))
      (f64x2.ne (local.get $x) (f64x2.splat (f64.const 1))))))

  ;; exp of two lanes, fdlibm's steps where both arguments are in its ordinary range
  ;; (2^-28 <= |x| < 700: no special value, k >= -1021; and not 1, which V8 answers with E);
  ;; each lane takes the branch fdlibm takes: |x| <= 0.5 ln2 (high word 0x3fd62e42 or
  ;; less) keeps k = 0, hi = x, lo = 0, for which the reduced formula below equals fdlibm's k = 0
  ;; formula exactly ((x c)/(c - 2) = -((x c)/(2 - c)), 0 - q = -q, y 2^0 = y); above, k =
  ;; (int)(x/ln2 +- 1/2) is also what the 1.5 ln2 branch uses (k = +-1 there, hi and lo the
  ;; same products). Lanes outside the range go through $exp one at a time.
  (func $exp2 (param $x v128) (result v128)
    (local $ax v128) (local $kf v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $t v128) (local $c v128) (local $y v128)
    (local.set $ax (f64x2.abs (local.get $x)))
    (if (i32.eqz (call $ordinary (local.get $x) (local.get $ax)))
      (then
        (return (f64x2.replace_lane 1
          (f64x2.splat (call $exp (f64x2.extract_lane 0 (local.get $x))))
          (call $exp (f64x2.extract_lane 1 (local.get $x)))))))
    ;; k = (int)(invln2 x + (x < 0 ? -0.5 : 0.5)) kept as a float (f64x2.trunc: that cast's value), 0
    ;; where |x| has high word <= 0x3fd62e42
    (local.set $kf (v128.andnot
      (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x))
        (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x) (f64x2.splat (f64.const 0))))))
      (f64x2.le (local.get $ax) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
    (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
    (local.set $lo (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $t)
      (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (f64x2.mul (local.get $t)
        (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (f64x2.mul (local.get $t)
            (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (f64x2.mul (local.get $t) (f64x2.splat (f64.const 4.13813679705723846039e-08)))))))))))))
    (local.set $y (f64x2.sub (f64x2.splat (f64.const 1))
      (f64x2.sub (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c)))) (local.get $hi))))
    ;; 2^k: (1023 + k) in the exponent field; k + 1.5 * 2^52 holds k in its low bits (|k| < 2^51)
    (f64x2.mul (local.get $y)
      (i64x2.shl (i64x2.add (f64x2.add (local.get $kf) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))

;; exp of two pairs of lanes ($exp2's steps for both, interleaved so that their chains of
  ;; divisions and polynomials overlap); a pair outside the ordinary range goes through $exp2
  (func $exp4 (param $x1 v128) (param $x2 v128) (result v128 v128)
    (local $ax1 v128)
    (local $kf1 v128)
    (local $hi1 v128)
    (local $lo1 v128)
    (local $r1 v128)
    (local $t1 v128)
    (local $c1 v128)
    (local $y1 v128)
    (local $ax2 v128)
    (local $kf2 v128)
    (local $hi2 v128)
    (local $lo2 v128)
    (local $r2 v128)
    (local $t2 v128)
    (local $c2 v128)
    (local $y2 v128)
    (local.set $ax1 (f64x2.abs (local.get $x1)))
    (local.set $ax2 (f64x2.abs (local.get $x2)))
    ;; $ordinary's test of both pairs written out (two calls cost a quarter of an exp)
    (if (i32.eqz (i64x2.all_true (v128.and
        (v128.and (v128.and (f64x2.ge (local.get $ax1) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax1) (f64x2.splat (f64.const 700))))
          (f64x2.ne (local.get $x1) (f64x2.splat (f64.const 1))))
        (v128.and (v128.and (f64x2.ge (local.get $ax2) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax2) (f64x2.splat (f64.const 700))))
          (f64x2.ne (local.get $x2) (f64x2.splat (f64.const 1)))))))
      (then (return (call $exp2 (local.get $x1)) (call $exp2 (local.get $x2)))))
    (local.set $kf1 (v128.andnot
      (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x1))
        (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x1) (f64x2.splat (f64.const 0))))))
      (f64x2.le (local.get $ax1) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
    (local.set $kf2 (v128.andnot
      (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x2))
        (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x2) (f64x2.splat (f64.const 0))))))
      (f64x2.le (local.get $ax2) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
    (local.set $hi1 (f64x2.sub (local.get $x1) (f64x2.mul (local.get $kf1) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
    (local.set $hi2 (f64x2.sub (local.get $x2) (f64x2.mul (local.get $kf2) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
    (local.set $lo1 (f64x2.mul (local.get $kf1) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
    (local.set $lo2 (f64x2.mul (local.get $kf2) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
    (local.set $r1 (f64x2.sub (local.get $hi1) (local.get $lo1)))
    (local.set $r2 (f64x2.sub (local.get $hi2) (local.get $lo2)))
    (local.set $t1 (f64x2.mul (local.get $r1) (local.get $r1)))
    (local.set $t2 (f64x2.mul (local.get $r2) (local.get $r2)))
    (local.set $c1 (f64x2.sub (local.get $r1) (f64x2.mul (local.get $t1)
      (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (f64x2.mul (local.get $t1)
        (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (f64x2.mul (local.get $t1)
          (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (f64x2.mul (local.get $t1)
            (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (f64x2.mul (local.get $t1) (f64x2.splat (f64.const 4.13813679705723846039e-08)))))))))))))
    (local.set $c2 (f64x2.sub (local.get $r2) (f64x2.mul (local.get $t2)
      (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (f64x2.mul (local.get $t2)
        (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (f64x2.mul (local.get $t2)
          (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (f64x2.mul (local.get $t2)
            (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (f64x2.mul (local.get $t2) (f64x2.splat (f64.const 4.13813679705723846039e-08)))))))))))))
    (local.set $y1 (f64x2.sub (f64x2.splat (f64.const 1))
      (f64x2.sub (f64x2.sub (local.get $lo1) (f64x2.div (f64x2.mul (local.get $r1) (local.get $c1)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c1)))) (local.get $hi1))))
    (local.set $y2 (f64x2.sub (f64x2.splat (f64.const 1))
      (f64x2.sub (f64x2.sub (local.get $lo2) (f64x2.div (f64x2.mul (local.get $r2) (local.get $c2)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c2)))) (local.get $hi2))))
    (f64x2.mul (local.get $y1)
      (i64x2.shl (i64x2.add (f64x2.add (local.get $kf1) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52)))
    (f64x2.mul (local.get $y2)
      (i64x2.shl (i64x2.add (f64x2.add (local.get $kf2) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))

  ;; erf(n, x, o, s, gelu, div, add, mul): o[i] = erf(x[i]) rounded to fp32, kernel-util.ts erf's
  ;; operations in its order for each element, in chunks of 256 elements through 4 KB of scratch
  ;; at $s: (1) t and exp's argument, (2) the exps in place ($exp2's steps written out for four
  ;; pairs; a group with a lane outside the ordinary range through $exp2 pair by pair), (3) the
  ;; products and signs (two at a time). An element's division, polynomial and exp are a chain of
  ;; ~150 dependent cycles: passes of short independent iterations with four chains each,
  ;; statement by statement, keep the processor busy where one loop doing all of it two pairs at
  ;; a time waited (8.6 -> 5.8 ns an element; the exps through a call returning four vectors took
  ;; half as long again). x must be followed by 8 zeros (a last group's lanes past n compute
  ;; erf(0), not stored). With $gelu, GELU's chain as an exported graph has it
  ;; (models/exec/fusion.ts): o = ((erf(x / div) + add) x) mul, each a binary32 operation.
  (func (export "erf") (param $n i32) (param $px i32) (param $po i32) (param $s i32)
    (param $gelu i32) (param $gdiv f32) (param $gadd f32) (param $gmul f32)
    (local $xin v128) (local $c i32) (local $len i32) (local $i i32) (local $pe i32) (local $one v128) (local $v v128) (local $v2 v128)
    (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $x4 v128)
    (local $z1 v128) (local $z2 v128) (local $z3 v128) (local $z4 v128)
    (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $t4 v128)
    (local $h1 v128) (local $h2 v128) (local $h3 v128) (local $h4 v128)
    (local $ax1 v128) (local $ax2 v128) (local $ax3 v128) (local $ax4 v128)
    (local $kf1 v128) (local $kf2 v128) (local $kf3 v128) (local $kf4 v128)
    (local $hi1 v128) (local $hi2 v128) (local $hi3 v128) (local $hi4 v128)
    (local $lo1 v128) (local $lo2 v128) (local $lo3 v128) (local $lo4 v128)
    (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128)
    (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128)
    (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128)
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $pe (i32.add (local.get $s) (i32.const 2048)))
    (block $chunks_done
      (loop $chunks
        (br_if $chunks_done (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $len (i32.sub (local.get $n) (local.get $c)))
        (if (i32.gt_u (local.get $len) (i32.const 256)) (then (local.set $len (i32.const 256))))
        ;; (1) t = 1 / (1 + 0.5 |x|) at $s, -z^2 - 1.26551223 + t P(t) at $pe
        (local.set $i (i32.const 0))
        (block $args_done
          (loop $args
            (br_if $args_done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $v (v128.load (i32.add (local.get $px) (i32.shl (i32.add (local.get $c) (local.get $i)) (i32.const 2)))))
            (local.set $v2 (v128.load offset=16 (i32.add (local.get $px) (i32.shl (i32.add (local.get $c) (local.get $i)) (i32.const 2)))))
            (if (local.get $gelu)
              (then
                (local.set $v (f32x4.div (local.get $v) (f32x4.splat (local.get $gdiv))))
                (local.set $v2 (f32x4.div (local.get $v2) (f32x4.splat (local.get $gdiv))))))
            (local.set $x1 (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $x2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
            (local.set $x3 (f64x2.promote_low_f32x4 (local.get $v2)))
            (local.set $x4 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v2) (local.get $v2))))
            (local.set $z1 (f64x2.abs (local.get $x1)))
            (local.set $z2 (f64x2.abs (local.get $x2)))
            (local.set $z3 (f64x2.abs (local.get $x3)))
            (local.set $z4 (f64x2.abs (local.get $x4)))
            (local.set $t1 (f64x2.div (local.get $one) (f64x2.add (local.get $one) (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z1)))))
            (local.set $t2 (f64x2.div (local.get $one) (f64x2.add (local.get $one) (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z2)))))
            (local.set $t3 (f64x2.div (local.get $one) (f64x2.add (local.get $one) (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z3)))))
            (local.set $t4 (f64x2.div (local.get $one) (f64x2.add (local.get $one) (f64x2.mul (f64x2.splat (f64.const 0.5)) (local.get $z4)))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.splat (f64.const 0.17087277))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.splat (f64.const 0.17087277))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.splat (f64.const 0.17087277))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.splat (f64.const 0.17087277))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const -0.82215223)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const -0.82215223)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const -0.82215223)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const -0.82215223)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const 1.48851587)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const 1.48851587)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const 1.48851587)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const 1.48851587)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const -1.13520398)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const -1.13520398)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const -1.13520398)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const -1.13520398)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const 0.27886807)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const 0.27886807)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const 0.27886807)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const 0.27886807)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const -0.18628806)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const -0.18628806)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const -0.18628806)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const -0.18628806)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const 0.09678418)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const 0.09678418)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const 0.09678418)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const 0.09678418)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const 0.37409196)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const 0.37409196)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const 0.37409196)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const 0.37409196)) (local.get $h4))))
            (local.set $h1 (f64x2.mul (local.get $t1) (f64x2.add (f64x2.splat (f64.const 1.00002368)) (local.get $h1))))
            (local.set $h2 (f64x2.mul (local.get $t2) (f64x2.add (f64x2.splat (f64.const 1.00002368)) (local.get $h2))))
            (local.set $h3 (f64x2.mul (local.get $t3) (f64x2.add (f64x2.splat (f64.const 1.00002368)) (local.get $h3))))
            (local.set $h4 (f64x2.mul (local.get $t4) (f64x2.add (f64x2.splat (f64.const 1.00002368)) (local.get $h4))))
            (v128.store offset=0 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))) (local.get $t1))
            (v128.store offset=16 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))) (local.get $t2))
            (v128.store offset=32 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))) (local.get $t3))
            (v128.store offset=48 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))) (local.get $t4))
            (v128.store offset=0 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))
              (f64x2.add (f64x2.sub (f64x2.mul (f64x2.neg (local.get $z1)) (local.get $z1)) (f64x2.splat (f64.const 1.26551223))) (local.get $h1)))
            (v128.store offset=16 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))
              (f64x2.add (f64x2.sub (f64x2.mul (f64x2.neg (local.get $z2)) (local.get $z2)) (f64x2.splat (f64.const 1.26551223))) (local.get $h2)))
            (v128.store offset=32 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))
              (f64x2.add (f64x2.sub (f64x2.mul (f64x2.neg (local.get $z3)) (local.get $z3)) (f64x2.splat (f64.const 1.26551223))) (local.get $h3)))
            (v128.store offset=48 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))
              (f64x2.add (f64x2.sub (f64x2.mul (f64x2.neg (local.get $z4)) (local.get $z4)) (f64x2.splat (f64.const 1.26551223))) (local.get $h4)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $args)))
        ;; (2) the exps in place
        (local.set $i (i32.const 0))
        (block $exps_done
          (loop $exps
            (br_if $exps_done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $x1 (v128.load offset=0 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $ax1 (f64x2.abs (local.get $x1)))
            (local.set $x2 (v128.load offset=16 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $ax2 (f64x2.abs (local.get $x2)))
            (local.set $x3 (v128.load offset=32 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $ax3 (f64x2.abs (local.get $x3)))
            (local.set $x4 (v128.load offset=48 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $ax4 (f64x2.abs (local.get $x4)))
            (if (i64x2.all_true (v128.and (v128.and (v128.and (v128.and (f64x2.ge (local.get $ax1) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax1) (f64x2.splat (f64.const 700)))) (f64x2.ne (local.get $x1) (f64x2.splat (f64.const 1))))
                (v128.and (v128.and (f64x2.ge (local.get $ax2) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax2) (f64x2.splat (f64.const 700)))) (f64x2.ne (local.get $x2) (f64x2.splat (f64.const 1)))))
                (v128.and (v128.and (v128.and (f64x2.ge (local.get $ax3) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax3) (f64x2.splat (f64.const 700)))) (f64x2.ne (local.get $x3) (f64x2.splat (f64.const 1))))
                (v128.and (v128.and (f64x2.ge (local.get $ax4) (f64x2.splat (f64.const 0x1p-28))) (f64x2.lt (local.get $ax4) (f64x2.splat (f64.const 700)))) (f64x2.ne (local.get $x4) (f64x2.splat (f64.const 1)))))))
              (then
            (local.set $kf1 (v128.andnot (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x1)) (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x1) (f64x2.splat (f64.const 0)))))) (f64x2.le (local.get $ax1) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
            (local.set $kf2 (v128.andnot (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x2)) (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x2) (f64x2.splat (f64.const 0)))))) (f64x2.le (local.get $ax2) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
            (local.set $kf3 (v128.andnot (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x3)) (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x3) (f64x2.splat (f64.const 0)))))) (f64x2.le (local.get $ax3) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
            (local.set $kf4 (v128.andnot (f64x2.trunc (f64x2.add (f64x2.mul (f64x2.splat (f64.const 1.44269504088896338700e+00)) (local.get $x4)) (v128.bitselect (f64x2.splat (f64.const -0.5)) (f64x2.splat (f64.const 0.5)) (f64x2.lt (local.get $x4) (f64x2.splat (f64.const 0)))))) (f64x2.le (local.get $ax4) (f64x2.splat (f64.const 0x1.62e42fffffffffp-2)))))
            (local.set $hi1 (f64x2.sub (local.get $x1) (f64x2.mul (local.get $kf1) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
            (local.set $hi2 (f64x2.sub (local.get $x2) (f64x2.mul (local.get $kf2) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
            (local.set $hi3 (f64x2.sub (local.get $x3) (f64x2.mul (local.get $kf3) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
            (local.set $hi4 (f64x2.sub (local.get $x4) (f64x2.mul (local.get $kf4) (f64x2.splat (f64.const 6.93147180369123816490e-01)))))
            (local.set $lo1 (f64x2.mul (local.get $kf1) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
            (local.set $lo2 (f64x2.mul (local.get $kf2) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
            (local.set $lo3 (f64x2.mul (local.get $kf3) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
            (local.set $lo4 (f64x2.mul (local.get $kf4) (f64x2.splat (f64.const 1.90821492927058770002e-10))))
            (local.set $r1 (f64x2.sub (local.get $hi1) (local.get $lo1)))
            (local.set $r2 (f64x2.sub (local.get $hi2) (local.get $lo2)))
            (local.set $r3 (f64x2.sub (local.get $hi3) (local.get $lo3)))
            (local.set $r4 (f64x2.sub (local.get $hi4) (local.get $lo4)))
            (local.set $q1 (f64x2.mul (local.get $r1) (local.get $r1)))
            (local.set $q2 (f64x2.mul (local.get $r2) (local.get $r2)))
            (local.set $q3 (f64x2.mul (local.get $r3) (local.get $r3)))
            (local.set $q4 (f64x2.mul (local.get $r4) (local.get $r4)))
            (local.set $c1 (f64x2.mul (local.get $q1) (f64x2.splat (f64.const 4.13813679705723846039e-08))))
            (local.set $c2 (f64x2.mul (local.get $q2) (f64x2.splat (f64.const 4.13813679705723846039e-08))))
            (local.set $c3 (f64x2.mul (local.get $q3) (f64x2.splat (f64.const 4.13813679705723846039e-08))))
            (local.set $c4 (f64x2.mul (local.get $q4) (f64x2.splat (f64.const 4.13813679705723846039e-08))))
            (local.set $c1 (f64x2.mul (local.get $q1) (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (local.get $c1))))
            (local.set $c2 (f64x2.mul (local.get $q2) (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (local.get $c2))))
            (local.set $c3 (f64x2.mul (local.get $q3) (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (local.get $c3))))
            (local.set $c4 (f64x2.mul (local.get $q4) (f64x2.add (f64x2.splat (f64.const -1.65339022054652515390e-06)) (local.get $c4))))
            (local.set $c1 (f64x2.mul (local.get $q1) (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (local.get $c1))))
            (local.set $c2 (f64x2.mul (local.get $q2) (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (local.get $c2))))
            (local.set $c3 (f64x2.mul (local.get $q3) (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (local.get $c3))))
            (local.set $c4 (f64x2.mul (local.get $q4) (f64x2.add (f64x2.splat (f64.const 6.61375632143793436117e-05)) (local.get $c4))))
            (local.set $c1 (f64x2.mul (local.get $q1) (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (local.get $c1))))
            (local.set $c2 (f64x2.mul (local.get $q2) (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (local.get $c2))))
            (local.set $c3 (f64x2.mul (local.get $q3) (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (local.get $c3))))
            (local.set $c4 (f64x2.mul (local.get $q4) (f64x2.add (f64x2.splat (f64.const -2.77777777770155933842e-03)) (local.get $c4))))
            (local.set $c1 (f64x2.mul (local.get $q1) (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (local.get $c1))))
            (local.set $c2 (f64x2.mul (local.get $q2) (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (local.get $c2))))
            (local.set $c3 (f64x2.mul (local.get $q3) (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (local.get $c3))))
            (local.set $c4 (f64x2.mul (local.get $q4) (f64x2.add (f64x2.splat (f64.const 1.66666666666666019037e-01)) (local.get $c4))))
            (local.set $c1 (f64x2.sub (local.get $r1) (local.get $c1)))
            (local.set $c2 (f64x2.sub (local.get $r2) (local.get $c2)))
            (local.set $c3 (f64x2.sub (local.get $r3) (local.get $c3)))
            (local.set $c4 (f64x2.sub (local.get $r4) (local.get $c4)))
            (v128.store offset=0 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (f64x2.mul (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (f64x2.sub (local.get $lo1) (f64x2.div (f64x2.mul (local.get $r1) (local.get $c1)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c1)))) (local.get $hi1)))
                (i64x2.shl (i64x2.add (f64x2.add (local.get $kf1) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))
            (v128.store offset=16 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (f64x2.mul (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (f64x2.sub (local.get $lo2) (f64x2.div (f64x2.mul (local.get $r2) (local.get $c2)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c2)))) (local.get $hi2)))
                (i64x2.shl (i64x2.add (f64x2.add (local.get $kf2) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))
            (v128.store offset=32 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (f64x2.mul (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (f64x2.sub (local.get $lo3) (f64x2.div (f64x2.mul (local.get $r3) (local.get $c3)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c3)))) (local.get $hi3)))
                (i64x2.shl (i64x2.add (f64x2.add (local.get $kf3) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))
            (v128.store offset=48 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (f64x2.mul (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (f64x2.sub (local.get $lo4) (f64x2.div (f64x2.mul (local.get $r4) (local.get $c4)) (f64x2.sub (f64x2.splat (f64.const 2)) (local.get $c4)))) (local.get $hi4)))
                (i64x2.shl (i64x2.add (f64x2.add (local.get $kf4) (f64x2.splat (f64.const 0x1.8p52))) (i64x2.splat (i64.const 1023))) (i32.const 52))))
            )
              (else
            (v128.store offset=0 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (call $exp2 (local.get $x1)))
            (v128.store offset=16 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (call $exp2 (local.get $x2)))
            (v128.store offset=32 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (call $exp2 (local.get $x3)))
            (v128.store offset=48 (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))) (call $exp2 (local.get $x4)))
            ))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $exps)))
        ;; (3) r = t exp(...), 1 - r or r - 1 by x's sign, rounded to fp32, two at a time
        (local.set $i (i32.const 0))
        (block $outs_done
          (loop $outs
            (br_if $outs_done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $xin (v128.load64_zero (i32.add (local.get $px) (i32.shl (i32.add (local.get $c) (local.get $i)) (i32.const 2)))))
            (local.set $x1 (f64x2.promote_low_f32x4 (if (result v128) (local.get $gelu)
              (then (f32x4.div (local.get $xin) (f32x4.splat (local.get $gdiv))))
              (else (local.get $xin)))))
            (local.set $h1 (f64x2.mul (v128.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))))
              (v128.load (i32.add (local.get $pe) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $h1 (f32x4.demote_f64x2_zero (v128.bitselect
              (f64x2.sub (local.get $one) (local.get $h1)) (f64x2.sub (local.get $h1) (local.get $one))
              (f64x2.ge (local.get $x1) (f64x2.splat (f64.const 0))))))
            ;; GELU: ((erf + c2) x) c3, each a binary32 operation
            (if (local.get $gelu)
              (then (local.set $h1 (f32x4.mul (f32x4.mul (local.get $xin) (f32x4.add (local.get $h1) (f32x4.splat (local.get $gadd))))
                (f32x4.splat (local.get $gmul))))))
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $len))
              (then (v128.store64_lane 0 (i32.add (local.get $po) (i32.shl (i32.add (local.get $c) (local.get $i)) (i32.const 2))) (local.get $h1)))
              (else (v128.store32_lane 0 (i32.add (local.get $po) (i32.shl (i32.add (local.get $c) (local.get $i)) (i32.const 2))) (local.get $h1))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $outs)))
        (local.set $c (i32.add (local.get $c) (local.get $len)))
        (br $chunks))))

  ;; expRows(n, x, o): o[i] = exp(x[i]) over float64 arrays, four at a time through $exp4,
  ;; then two through $exp2, then one
  (func (export "expRows") (param $n i32) (param $px i32) (param $po i32)
    (local $i i32) (local $at i32) (local $e v128) (local $e2 v128)
    (block $fours_done
      (loop $fours
        (br_if $fours_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (call $exp4 (v128.load (i32.add (local.get $px) (local.get $at))) (v128.load offset=16 (i32.add (local.get $px) (local.get $at))))
        (local.set $e2)
        (local.set $e)
        (v128.store (i32.add (local.get $po) (local.get $at)) (local.get $e))
        (v128.store offset=16 (i32.add (local.get $po) (local.get $at)) (local.get $e2))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fours)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (v128.store (i32.add (local.get $po) (local.get $at)) (call $exp2 (v128.load (i32.add (local.get $px) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $each)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (f64.store (i32.add (local.get $po) (i32.shl (local.get $i) (i32.const 3)))
        (call $exp (f64.load (i32.add (local.get $px) (i32.shl (local.get $i) (i32.const 3)))))))))

  ;; maskScale(rows, len, x, o, scale, mask, mrows, fill, fillIf): o[r, j] = fill where
  ;; (mask[r mod mrows, j] != 0) == fillIf (NaN counts as not 0), else x[r, j] * scale rounded to
  ;; fp32: an exported attention's scaled and masked scores (mul by a scalar, then Where with a
  ;; constant mask: models/exec/fusion.ts), four at a time, then one.
  (func (export "maskScale") (param $rows i32) (param $len i32) (param $px i32) (param $po i32)
    (param $scale f32) (param $pm i32) (param $mrows i32) (param $fill f32) (param $fillIf i32)
    (local $r i32) (local $j i32) (local $bytes i32) (local $pi i32) (local $oi i32) (local $mi i32)
    (local $vs v128) (local $vf v128) (local $c v128)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $vf (f32x4.splat (local.get $fill)))
    (block $rows_done
      (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $pi (i32.add (local.get $px) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $oi (i32.add (local.get $po) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $mi (i32.add (local.get $pm) (i32.mul (i32.rem_u (local.get $r) (local.get $mrows)) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $fours_done
          (loop $fours
            (br_if $fours_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $bytes)))
            ;; lanes whose mask is not 0, then those that take the fill
            (local.set $c (f32x4.ne (v128.load (i32.add (local.get $mi) (local.get $j))) (f32x4.splat (f32.const 0))))
            (if (i32.eqz (local.get $fillIf)) (then (local.set $c (v128.not (local.get $c)))))
            (v128.store (i32.add (local.get $oi) (local.get $j))
              (v128.bitselect (local.get $vf) (f32x4.mul (v128.load (i32.add (local.get $pi) (local.get $j))) (local.get $vs)) (local.get $c)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $fours)))
        (block $ones_done
          (loop $ones
            (br_if $ones_done (i32.ge_u (local.get $j) (local.get $bytes)))
            (f32.store (i32.add (local.get $oi) (local.get $j))
              (select (local.get $fill) (f32.mul (f32.load (i32.add (local.get $pi) (local.get $j))) (local.get $scale))
                (i32.eq (f32.ne (f32.load (i32.add (local.get $mi) (local.get $j))) (f32.const 0)) (i32.ne (local.get $fillIf) (i32.const 0)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $ones)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row))))

  ;; softmax(rows, len, x, o): each row of len contiguous fp32 values as kernel-util.ts
  ;; softmaxRow does it on the fp32 vector unit: the max (NaN never above it), d = x - max and
  ;; exp(d) rounded to fp32, their sum in order rounded at each step, each exp divided by it
  ;; (binary32 subtraction, addition and division: the float64 ones rounded to fp32). exp two
  ;; lanes at a time; a pair of masked scores (d = -Infinity) is 0, 0 without it.
  (func (export "softmax") (param $rows i32) (param $len i32) (param $px i32) (param $po i32)
    (local $r i32) (local $i i32) (local $pi i32) (local $oi i32) (local $mx f32) (local $v f32)
    (local $sum f32) (local $d v128) (local $e v128) (local $bytes i32) (local $d4 v128) (local $e2 v128)
    (local $m4 v128) (local $end i32) (local $upto i32) (local $vsum v128)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $pi (i32.add (local.get $px) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $oi (i32.add (local.get $po) (i32.mul (local.get $r) (local.get $bytes))))
        ;; the max four lanes at a time (pmax keeps the lane's value where the new one is NaN or
        ;; not above it), then across the lanes and the last elements: the row's largest value,
        ;; NaN never above it; which of two equal zeros is kept differs from a scan in order,
        ;; but d = x - max and exp(d) are then the same
        (local.set $m4 (f32x4.splat (f32.const -inf)))
        (local.set $i (i32.const 0))
        (block $max4_done
          (loop $max4
            (br_if $max4_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $bytes)))
            (local.set $m4 (f32x4.pmax (local.get $m4) (v128.load (i32.add (local.get $pi) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $max4)))
        (local.set $mx (f32x4.extract_lane 0 (local.get $m4)))
        (if (f32.gt (f32x4.extract_lane 1 (local.get $m4)) (local.get $mx)) (then (local.set $mx (f32x4.extract_lane 1 (local.get $m4)))))
        (if (f32.gt (f32x4.extract_lane 2 (local.get $m4)) (local.get $mx)) (then (local.set $mx (f32x4.extract_lane 2 (local.get $m4)))))
        (if (f32.gt (f32x4.extract_lane 3 (local.get $m4)) (local.get $mx)) (then (local.set $mx (f32x4.extract_lane 3 (local.get $m4)))))
        (block $max_done
          (loop $max
            (br_if $max_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $v (f32.load (i32.add (local.get $pi) (local.get $i))))
            (if (f32.gt (local.get $v) (local.get $mx)) (then (local.set $mx (local.get $v))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $max)))
        ;; exp(fround(x - max)) into o, four at a time ($exp4), then two, then the last one;
        ;; $end: past the last four that were not all masked (every exp after it is 0)
        (local.set $i (i32.const 0))
        (local.set $end (i32.const 0))
        (block $exp4_done
          (loop $exps4
            (br_if $exp4_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $bytes)))
            (local.set $d4 (f32x4.sub (v128.load (i32.add (local.get $pi) (local.get $i))) (f32x4.splat (local.get $mx))))
            (if (v128.any_true (f32x4.ne (local.get $d4) (f32x4.splat (f32.const -inf))))
              (then
                (call $exp4 (f64x2.promote_low_f32x4 (local.get $d4))
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d4) (local.get $d4))))
                (local.set $e2)
                (local.set $e)
                (v128.store (i32.add (local.get $oi) (local.get $i))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $e)) (f32x4.demote_f64x2_zero (local.get $e2))))
                (local.set $end (i32.add (local.get $i) (i32.const 16))))
              ;; four masked scores: 0 (exp(-Infinity))
              (else (v128.store (i32.add (local.get $oi) (local.get $i)) (v128.const i64x2 0 0))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $exps4)))
        (if (i32.lt_u (local.get $i) (local.get $bytes)) (then (local.set $end (local.get $bytes))))
        (block $exp_done
          (loop $exps
            (br_if $exp_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $bytes)))
            (local.set $d (f64x2.promote_low_f32x4 (f32x4.sub (v128.load64_zero (i32.add (local.get $pi) (local.get $i))) (f32x4.splat (local.get $mx)))))
            (local.set $e (if (result v128) (i64x2.all_true (f64x2.eq (local.get $d) (f64x2.splat (f64.const -inf))))
              (then (v128.const i64x2 0 0))
              (else (call $exp2 (local.get $d)))))
            (v128.store64_lane 0 (i32.add (local.get $oi) (local.get $i)) (f32x4.demote_f64x2_zero (local.get $e)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $exps)))
        (if (i32.lt_u (local.get $i) (local.get $bytes))
          (then (f32.store (i32.add (local.get $oi) (local.get $i))
            (f32.demote_f64 (call $exp (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $pi) (local.get $i))) (local.get $mx))))))))
        ;; the sum in order up to $end (from +0 the zeros after it change nothing), then the
        ;; divisions, four at a time (f32x4.div rounds as f32.div); after $end each exp is 0,
        ;; and 0 / sum is 0 for a sum above 0 (a NaN or 0 sum divides every element)
        (local.set $sum (f32.const 0))
        (local.set $i (i32.const 0))
        (block $sum_done
          (loop $sums
            (br_if $sum_done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $sum (f32.add (local.get $sum) (f32.load (i32.add (local.get $oi) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sums)))
        (local.set $upto (select (local.get $end) (local.get $bytes) (f32.gt (local.get $sum) (f32.const 0))))
        (local.set $vsum (f32x4.splat (local.get $sum)))
        (local.set $i (i32.const 0))
        (block $div4_done
          (loop $divs4
            (br_if $div4_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $upto)))
            (v128.store (i32.add (local.get $oi) (local.get $i)) (f32x4.div (v128.load (i32.add (local.get $oi) (local.get $i))) (local.get $vsum)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $divs4)))
        (block $div_done
          (loop $divs
            (br_if $div_done (i32.ge_u (local.get $i) (local.get $upto)))
            (f32.store (i32.add (local.get $oi) (local.get $i)) (f32.div (f32.load (i32.add (local.get $oi) (local.get $i))) (local.get $sum)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $divs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; norm(rows, d, x, gamma, beta, centre, eps, o): layer norm (centre 1; beta -1 for none) or RMS
  ;; norm (centre 0) over rows of d fp32 values, as models/ops/norm.ts does it on the fp32 vector
  ;; unit: the mean a float64 sum in order rounded to fp32 (0 without centre), the variance a
  ;; float64 sum of squared float64 differences in order, inv = fp32(1 / sqrt(fp32(v / d) + eps))
  ;; in float64, then each element's binary32 subtraction, two multiplications and addition.
  ;; Two rows at a time, one per float64 lane, so their chains of additions overlap (an odd last
  ;; row runs in both lanes); the last loop four elements at a time.
  (func (export "norm") (param $rows i32) (param $d i32) (param $px i32) (param $pg i32) (param $pb i32)
    (param $centre i32) (param $eps f64) (param $po i32)
    (local $r i32) (local $b0 i32) (local $b1 i32) (local $i i32) (local $bytes i32)
    (local $m v128) (local $v v128) (local $c v128) (local $inv v128) (local $lane i32)
    (local $row i32) (local $mf f32) (local $invf f32) (local $vm v128) (local $vinv v128) (local $y v128)
    (local $ys f32) (local $end4 i32) (local $vd v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $vd (f64x2.splat (f64.convert_i32_u (local.get $d))))
    (block $rows_done
      (loop $pairs
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $b0 (i32.mul (local.get $r) (local.get $bytes)))
        ;; the second row, or the first again for an odd last row
        (local.set $b1 (select (i32.add (local.get $b0) (local.get $bytes)) (local.get $b0)
          (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))))
        (local.set $m (f64x2.splat (f64.const 0)))
        (if (local.get $centre)
          (then
            (local.set $i (i32.const 0))
            (block $mean_done
              (loop $mean
                (br_if $mean_done (i32.ge_u (local.get $i) (local.get $bytes)))
                (local.set $m (f64x2.add (local.get $m) (f64x2.replace_lane 1
                  (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $px) (i32.add (local.get $b0) (local.get $i))))))
                  (f64.promote_f32 (f32.load (i32.add (local.get $px) (i32.add (local.get $b1) (local.get $i))))))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $mean)))
            ;; fp32(mean / d)
            (local.set $m (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (local.get $m) (local.get $vd)))))))
        (local.set $v (f64x2.splat (f64.const 0)))
        (local.set $i (i32.const 0))
        (block $var_done
          (loop $var
            (br_if $var_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $c (f64x2.sub (f64x2.replace_lane 1
              (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $px) (i32.add (local.get $b0) (local.get $i))))))
              (f64.promote_f32 (f32.load (i32.add (local.get $px) (i32.add (local.get $b1) (local.get $i)))))) (local.get $m)))
            (local.set $v (f64x2.add (local.get $v) (f64x2.mul (local.get $c) (local.get $c))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $var)))
        ;; inv = fp32(1 / sqrt(fp32(v / d) + eps))
        (local.set $inv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
          (f64x2.div (f64x2.splat (f64.const 1)) (f64x2.sqrt (f64x2.add
            (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (local.get $v) (local.get $vd))))
            (f64x2.splat (local.get $eps))))))))
        ;; each row of the pair (one, for an odd last row): y = ((x - mean) * inv) * gamma (+ beta)
        (local.set $lane (i32.const 0))
        (block $lanes_done
          (loop $lanes
            (br_if $lanes_done (i32.or (i32.ge_u (local.get $lane) (i32.const 2))
              (i32.ge_u (i32.add (local.get $r) (local.get $lane)) (local.get $rows))))
            (local.set $row (select (local.get $b1) (local.get $b0) (local.get $lane)))
            (local.set $mf (f32.demote_f64 (select (f64x2.extract_lane 1 (local.get $m)) (f64x2.extract_lane 0 (local.get $m)) (local.get $lane))))
            (local.set $invf (f32.demote_f64 (select (f64x2.extract_lane 1 (local.get $inv)) (f64x2.extract_lane 0 (local.get $inv)) (local.get $lane))))
            (local.set $vm (f32x4.splat (local.get $mf)))
            (local.set $vinv (f32x4.splat (local.get $invf)))
            (local.set $i (i32.const 0))
            (block $fours_done
              (loop $fours
                (br_if $fours_done (i32.ge_u (local.get $i) (local.get $end4)))
                (local.set $y (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $px) (i32.add (local.get $row) (local.get $i))))
                  (local.get $vm)) (local.get $vinv)) (v128.load (i32.add (local.get $pg) (local.get $i)))))
                (if (i32.ge_s (local.get $pb) (i32.const 0))
                  (then (local.set $y (f32x4.add (local.get $y) (v128.load (i32.add (local.get $pb) (local.get $i)))))))
                (v128.store (i32.add (local.get $po) (i32.add (local.get $row) (local.get $i))) (local.get $y))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $fours)))
            (block $ones_done
              (loop $ones
                (br_if $ones_done (i32.ge_u (local.get $i) (local.get $bytes)))
                (local.set $ys (f32.mul (f32.mul (f32.sub (f32.load (i32.add (local.get $px) (i32.add (local.get $row) (local.get $i))))
                  (local.get $mf)) (local.get $invf)) (f32.load (i32.add (local.get $pg) (local.get $i)))))
                (if (i32.ge_s (local.get $pb) (i32.const 0))
                  (then (local.set $ys (f32.add (local.get $ys) (f32.load (i32.add (local.get $pb) (local.get $i)))))))
                (f32.store (i32.add (local.get $po) (i32.add (local.get $row) (local.get $i))) (local.get $ys))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $ones)))
            (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
            (br $lanes)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $pairs))))

  ;; rows(count, len, step, bases, x, o): o's count rows of len elements, row r reading x from
  ;; element bases[r] at a stride of step elements (a transpose by output rows: step 1 where the
  ;; last axis stays last, copied four at a time)
  (func (export "rows") (param $count i32) (param $len i32) (param $step i32) (param $pbase i32) (param $px i32) (param $po i32)
    (local $r i32) (local $src i32) (local $i i32) (local $bytes i32) (local $end4 i32) (local $sb i32)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $sb (i32.shl (local.get $step) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $src (i32.add (local.get $px) (i32.shl (i32.load (i32.add (local.get $pbase) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $i (i32.const 0))
        (if (i32.eq (local.get $step) (i32.const 1))
          (then
            (block $v_done
              (loop $v
                (br_if $v_done (i32.ge_u (local.get $i) (local.get $end4)))
                (v128.store (i32.add (local.get $po) (local.get $i)) (v128.load (i32.add (local.get $src) (local.get $i))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $v)))
            (block $t_done
              (loop $t
                (br_if $t_done (i32.ge_u (local.get $i) (local.get $bytes)))
                (f32.store (i32.add (local.get $po) (local.get $i)) (f32.load (i32.add (local.get $src) (local.get $i))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $t))))
          (else
            (block $s_done
              (loop $s
                (br_if $s_done (i32.ge_u (local.get $i) (local.get $bytes)))
                (i32.store (i32.add (local.get $po) (local.get $i)) (i32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (local.get $sb)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $s)))))
        (local.set $po (i32.add (local.get $po) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each))))
)
