;; The fp32 vector unit's element-wise rows in SIMD (models/exec/wasm/vector-rows.ts): add, sub,
;; mul, div of two operands and Where's select, over a broadcast's rows (kernel-util.ts
;; broadcastPlan): the output is `outer` rows of `len` contiguous elements, and over a row each
;; input either runs with the output (step 1, from its element offset bases[row]) or holds one
;; value (step 0). f32x4.add/sub/mul/div round like IEEE binary32 operations, which is what
;; JavaScript's float64 operation followed by the Float32Array store gives for binary32 operands
;; (53 >= 2 x 24 + 2 bits: rounding twice equals rounding once for these four operations).
;; Where selects bit patterns: x where the condition is not 0 (NaN included), else y.
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
)
