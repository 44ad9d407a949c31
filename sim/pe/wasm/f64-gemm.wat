;; The plain fp32 reference GEMM (models/exec/backends.ts gemmF64) with SIMD: C = A B for fp32
;; A (m x k) and B (k x n) with every output summed in float64 from +0, over the row's non-zero
;; activations in k order: s = s + x * w, each product exact in float64 (24-bit operands) and
;; each addition rounded to float64, as the scalar loop does (JavaScript never fuses a multiply
;; and an add, and neither does f64x2). Two outputs per lane pair, sixteen in registers.
;;
;; Layout (byte addresses, chosen by the caller):
;;   a     m * k f32     b     k * n f64 (B's values, widened once by the caller)
;;   c     m * n f64 (written)        list  k * 16 bytes of scratch: (x f64, address of B's row, pad)
(module
  (memory (export "memory") 1)
  (func (export "gemm")
    (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $list i32)
    (local $i i32) (local $u i32) (local $t i32) (local $j i32) (local $e i32) (local $q i32)
    (local $nb i32) (local $row i32) (local $xv f32) (local $s f64) (local $xs v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
        ;; the row's non-zero activations, in k order
        (local.set $t (local.get $list))
        (local.set $u (i32.const 0))
        (block $list_done
          (loop $build
            (br_if $list_done (i32.ge_u (local.get $u) (local.get $k)))
            (local.set $xv (f32.load (i32.add (local.get $a)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $u)) (i32.const 2)))))
            (if (f32.ne (local.get $xv) (f32.const 0))
              (then
                (f64.store (local.get $t) (f64.promote_f32 (local.get $xv)))
                (i32.store offset=8 (local.get $t) (i32.add (local.get $b) (i32.mul (local.get $u) (local.get $nb))))
                (local.set $t (i32.add (local.get $t) (i32.const 16)))))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $build)))
        (local.set $row (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $j (i32.const 0))
        ;; 16 outputs at a time
        (block $b16_done
          (loop $b16
            (br_if $b16_done (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $nb)))
                (local.set $a0 (v128.const i64x2 0 0))
                (local.set $a1 (v128.const i64x2 0 0))
                (local.set $a2 (v128.const i64x2 0 0))
                (local.set $a3 (v128.const i64x2 0 0))
                (local.set $a4 (v128.const i64x2 0 0))
                (local.set $a5 (v128.const i64x2 0 0))
                (local.set $a6 (v128.const i64x2 0 0))
                (local.set $a7 (v128.const i64x2 0 0))
                (local.set $e (local.get $list))
                (block $k_done
                  (loop $kl
                    (br_if $k_done (i32.ge_u (local.get $e) (local.get $t)))
                    (local.set $xs (f64x2.splat (f64.load (local.get $e))))
                    (local.set $q (i32.add (i32.load offset=8 (local.get $e)) (local.get $j)))
                    (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $xs) (v128.load offset=0 (local.get $q)))))
                    (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $xs) (v128.load offset=16 (local.get $q)))))
                    (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $xs) (v128.load offset=32 (local.get $q)))))
                    (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $xs) (v128.load offset=48 (local.get $q)))))
                    (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $xs) (v128.load offset=64 (local.get $q)))))
                    (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $xs) (v128.load offset=80 (local.get $q)))))
                    (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $xs) (v128.load offset=96 (local.get $q)))))
                    (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $xs) (v128.load offset=112 (local.get $q)))))
                    (local.set $e (i32.add (local.get $e) (i32.const 16)))
                    (br $kl)))
                (local.set $q (i32.add (local.get $row) (local.get $j)))
                (v128.store offset=0 (local.get $q) (local.get $a0))
                (v128.store offset=16 (local.get $q) (local.get $a1))
                (v128.store offset=32 (local.get $q) (local.get $a2))
                (v128.store offset=48 (local.get $q) (local.get $a3))
                (v128.store offset=64 (local.get $q) (local.get $a4))
                (v128.store offset=80 (local.get $q) (local.get $a5))
                (v128.store offset=96 (local.get $q) (local.get $a6))
                (v128.store offset=112 (local.get $q) (local.get $a7))
            (local.set $j (i32.add (local.get $j) (i32.const 128)))
            (br $b16)))
        ;; 2 outputs at a time
        (block $b2_done
          (loop $b2
            (br_if $b2_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $e (local.get $list))
            (block $k2_done
              (loop $k2
                (br_if $k2_done (i32.ge_u (local.get $e) (local.get $t)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.splat (f64.load (local.get $e)))
                  (v128.load (i32.add (i32.load offset=8 (local.get $e)) (local.get $j))))))
                (local.set $e (i32.add (local.get $e) (i32.const 16)))
                (br $k2)))
            (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $a0))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $b2)))
        ;; the last output
        (if (i32.lt_u (local.get $j) (local.get $nb))
          (then
            (local.set $s (f64.const 0))
            (local.set $e (local.get $list))
            (block $k1_done
              (loop $k1
                (br_if $k1_done (i32.ge_u (local.get $e) (local.get $t)))
                (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $e))
                  (f64.load (i32.add (i32.load offset=8 (local.get $e)) (local.get $j))))))
                (local.set $e (i32.add (local.get $e) (i32.const 16)))
                (br $k1)))
            (f64.store (i32.add (local.get $row) (local.get $j)) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
