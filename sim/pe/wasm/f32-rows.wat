;; fp32 multiply-add rows with SIMD (one entry point, `pass`): for each row i of an m x ku
;; block of activations against ku x n weights W (f32, row-major), every output j of the row gets
;;     acc = f32(acc + f32(x * w))      for u = 0 .. ku-1, in that order,
;; four outputs per 128-bit lane group, each lane its own sequential sum: f32x4.mul and
;; f32x4.add round like scalar IEEE binary32 (no fusion, subnormals kept), so every output's
;; bits are those of the scalar loop Math.fround(s + Math.fround(x * w)).
;;
;; With $round = 1 each product is first rounded to a narrower float format (round to nearest
;; even, saturating at $max): the fp8 MACs' "product rounded to e4m3/e5m2". The binary32
;; product of two fp8 values is exact; it is clamped to +-$max (which the format holds, so the
;; clamp and the rounding commute with saturation) and rounded by adding and subtracting a
;; magic number of its own sign whose binary32 ulp is the narrow format's step at the product's
;; exponent: 2^(e + $shift) for e = max(exponent of the product, exponent of $minN), $shift =
;; 23 - the format's mantissa bits, so subnormal products round on the subnormal step. The sum
;; rounds to nearest even on that step and the subtraction is exact. A product that rounds to
;; zero gets its sign back by an OR. The caller checks every operand pair of its
;; table against this (tile-kernels.ts), so a format this does not describe is never run here.
;;
;; $round = 2: L-Mul products (see $row); $round = 3: integer operands and a wrapping int32
;; adder (int8: x and w hold int32 values, the states int32 values). `pass` runs a row of
;; rounded products ($round = 1) with no -0 state in mode 4 or 5 of $row: the same rounding
;; by a magic number 1.5 times as large, which needs no sign of the product (8 operations per 4
;; products in mode 5, which the caller's largest weight $wmax lets skip the clamp, against 13).
;; $fresh: every state is +0 and is not read (a GEMM's first pass); with it $cols (>= 0): per row i
;; an i32 count, the outputs j < cols[i] (rounded up to 16) computed and the rest left at +0; and
;; $out32: each row run writes its fp32 results (4 bytes an output, from $acc) instead of float64
;; states (rows left to the caller then write nothing: the caller runs the whole GEMM again);
;; with $bias (>= 0, n f32 at that address) bias[j] + result, a binary32 addition, is written.
;; With $fresh, $kmax (each weight row's largest |w|) and $splits = 1, a row of rounded products
;; sums the activations whose every product stays within the format's first two binades apart
;; and first, in mode 6 of $row (3 operations per 4 products), where that order gives the same
;; bits (every partial sum exact: see `pass`), and returns how many rows it so split.
;;
;; `pass` (below) takes the byte addresses of its operands, chosen by the caller; its scratch
;; `list` holds ku * 16 bytes (twice that with $splits): a row's kept products as (x, address
;; of W's row u, the activation's sign (L-Mul), address of V's row u (L-Mul)).
(module
  (memory (export "memory") 1)

  ;; One row: the kept products [$list, $end) as (x f32, address of W's row) against the row's
  ;; n = $nb / 4 fp32 states at $row, updated in place.
  (func $row
    (param $list i32) (param $end i32) (param $row i32) (param $nb i32)
    (param $round i32) (param $shift i32) (param $minN f32) (param $max f32)
    (param $lu i32) (param $lo i32) (param $loff i32) (param $lmax i32)
    (local $j i32) (local $e i32) (local $q i32) (local $xs v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s f32) (local $p v128) (local $sg v128) (local $mgv v128)
    (local $vsign v128) (local $vexp v128) (local $vmagic v128) (local $vminN v128)
    (local $vmax v128) (local $vnmax v128) (local $ps f32) (local $mg f32)
    (local $qv i32) (local $vas v128) (local $vU v128) (local $vO v128) (local $voff v128) (local $vmaxb v128)
    (local $ti i32) (local $vhalf v128)
    (local.set $vU (i32x4.splat (local.get $lu)))
    (local.set $vO (i32x4.splat (local.get $lo)))
    (local.set $voff (i32x4.splat (local.get $loff)))
    (local.set $vmaxb (i32x4.splat (local.get $lmax)))
    (local.set $vsign (i32x4.splat (i32.const 0x80000000)))
    (local.set $vexp (i32x4.splat (i32.const 0x7f800000)))
    (local.set $vmagic (i32x4.splat (i32.shl (local.get $shift) (i32.const 23))))
    (local.set $vminN (i32x4.splat (i32.reinterpret_f32 (local.get $minN))))
    (local.set $vmax (f32x4.splat (local.get $max)))
    (local.set $vnmax (f32x4.splat (f32.neg (local.get $max))))
    ;; modes 4 and 5: 1.5 * 2^(shift) in the exponent and the top mantissa bit, added to an exponent field
    (local.set $vhalf (i32x4.splat (i32.add (i32.shl (local.get $shift) (i32.const 23)) (i32.const 0x400000))))
    (local.set $j (i32.const 0))
    ;; mode 6 (a row's small products, pass splits them off): every product of the list lies within
    ;; the format's first two binades (|p| <= 2 minN), where its step is the one of its subnormals,
    ;; q = minN 2^-(23 - shift). M0 = 1.5 * 2^(shift) minN has q as its binary32 ulp and p + M0
    ;; stays in M0's binade (2 minN <= M0 / 3 needs $shift >= 2: the caller's format has at most
    ;; 21 mantissa bits), so that sum rounds p to nearest even on q (M0 an even multiple of q)
    ;; and its bits are bits(M0) + r / q: the states are int32 sums of those bits (wrapping), the
    ;; caller takes the entries' count times bits(M0) off and scales by q. Three operations per
    ;; four products where the rounding of any product takes seven.
    (if (i32.eq (local.get $round) (i32.const 6))
      (then
        (local.set $mgv (i32x4.add (local.get $vhalf) (local.get $vminN)))
        (local.set $mg (f32.reinterpret_i32 (i32x4.extract_lane 0 (local.get $mgv))))
    (block $g32_done
      (loop $g32
        (br_if $g32_done (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $a4 (v128.load offset=64 (local.get $q)))
        (local.set $a5 (v128.load offset=80 (local.get $q)))
        (local.set $a6 (v128.load offset=96 (local.get $q)))
        (local.set $a7 (v128.load offset=112 (local.get $q)))
        (local.set $e (local.get $list))
        (block $g32k_done
          (loop $g32k
            (br_if $g32k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $a0 (i32x4.add (local.get $a0) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q))) (local.get $mgv))))
            (local.set $a1 (i32x4.add (local.get $a1) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q))) (local.get $mgv))))
            (local.set $a2 (i32x4.add (local.get $a2) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q))) (local.get $mgv))))
            (local.set $a3 (i32x4.add (local.get $a3) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q))) (local.get $mgv))))
            (local.set $a4 (i32x4.add (local.get $a4) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=64 (local.get $q))) (local.get $mgv))))
            (local.set $a5 (i32x4.add (local.get $a5) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=80 (local.get $q))) (local.get $mgv))))
            (local.set $a6 (i32x4.add (local.get $a6) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=96 (local.get $q))) (local.get $mgv))))
            (local.set $a7 (i32x4.add (local.get $a7) (f32x4.add (f32x4.mul (local.get $xs) (v128.load offset=112 (local.get $q))) (local.get $mgv))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $g32k)))
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
        (br $g32)))
    (block $g4_done
      (loop $g4
        (br_if $g4_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load (local.get $q)))
        (local.set $e (local.get $list))
        (block $g4k_done
          (loop $g4k
            (br_if $g4k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $a0 (i32x4.add (local.get $a0) (f32x4.add (f32x4.mul (v128.load32_splat (local.get $e))
              (v128.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))) (local.get $mgv))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $g4k)))
        (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $g4)))
    (block $g1_done
      (loop $g1
        (br_if $g1_done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $ti (i32.load (i32.add (local.get $row) (local.get $j))))
        (local.set $e (local.get $list))
        (block $g1k_done
          (loop $g1k
            (br_if $g1k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $ti (i32.add (local.get $ti) (i32.reinterpret_f32 (f32.add (f32.mul (f32.load (local.get $e))
              (f32.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))) (local.get $mg)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $g1k)))
        (i32.store (i32.add (local.get $row) (local.get $j)) (local.get $ti))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $g1)))
        (return)))
    ;; L-Mul: each list entry holds X = |a| << s as an integer, the activation's sign as +-1
    ;; (+-0 for a zero or subnormal one), W's row (W = (|b| << s) + off - K << s, integers) and
    ;; V's row (the weight's sign as +-1, +-0 for a zero or subnormal weight). T = X + W is the
    ;; adder's result plus off, a non-negative 32-bit integer: below $lu it underflows to zero,
    ;; above $lo it saturates to $lmax, else T - off is the product's magnitude as fp32 bits;
    ;; the two exact multiplications by +-1 / +-0 give it its sign (XOR) or a signed zero.
    ;; int32: products of integers, a wrapping int32 adder (int8 x int8 never overflows the product)
    (if (i32.eq (local.get $round) (i32.const 3))
      (then
    (block $i16_done
      (loop $i16
        (br_if $i16_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $e (local.get $list))
        (block $ik_done
          (loop $ik
            (br_if $ik_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (i32x4.splat (i32.load (local.get $e))))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q)))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q)))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q)))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $ik)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (v128.store offset=0 (local.get $q) (local.get $a0))
        (v128.store offset=16 (local.get $q) (local.get $a1))
        (v128.store offset=32 (local.get $q) (local.get $a2))
        (v128.store offset=48 (local.get $q) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $i16)))
    (block $i1_done
      (loop $i1
        (br_if $i1_done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $ti (i32.load (i32.add (local.get $row) (local.get $j))))
        (local.set $e (local.get $list))
        (block $ik1_done
          (loop $ik1
            (br_if $ik1_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $ti (i32.add (local.get $ti) (i32.mul (i32.load (local.get $e))
              (i32.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j))))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $ik1)))
        (i32.store (i32.add (local.get $row) (local.get $j)) (local.get $ti))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $i1)))
      )
      (else
    (if (i32.eq (local.get $round) (i32.const 2))
      (then
    (block $l16_done
      (loop $l16
        (br_if $l16_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $e (local.get $list))
        (block $lk_done
          (loop $lk
            (br_if $lk_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (i32x4.splat (i32.load (local.get $e))))
            (local.set $vas (f32x4.splat (f32.load offset=8 (local.get $e))))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $qv (i32.add (i32.load offset=12 (local.get $e)) (local.get $j)))
            (local.set $p (i32x4.add (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $p (v128.andnot
              (v128.bitselect (local.get $vmaxb) (i32x4.sub (local.get $p) (local.get $voff)) (i32x4.gt_u (local.get $p) (local.get $vO)))
              (i32x4.lt_u (local.get $p) (local.get $vU))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (f32x4.mul (local.get $p) (v128.load offset=0 (local.get $qv))) (local.get $vas))))
            (local.set $p (i32x4.add (local.get $xs) (v128.load offset=16 (local.get $q))))
            (local.set $p (v128.andnot
              (v128.bitselect (local.get $vmaxb) (i32x4.sub (local.get $p) (local.get $voff)) (i32x4.gt_u (local.get $p) (local.get $vO)))
              (i32x4.lt_u (local.get $p) (local.get $vU))))
            (local.set $a1 (f32x4.add (local.get $a1)
              (f32x4.mul (f32x4.mul (local.get $p) (v128.load offset=16 (local.get $qv))) (local.get $vas))))
            (local.set $p (i32x4.add (local.get $xs) (v128.load offset=32 (local.get $q))))
            (local.set $p (v128.andnot
              (v128.bitselect (local.get $vmaxb) (i32x4.sub (local.get $p) (local.get $voff)) (i32x4.gt_u (local.get $p) (local.get $vO)))
              (i32x4.lt_u (local.get $p) (local.get $vU))))
            (local.set $a2 (f32x4.add (local.get $a2)
              (f32x4.mul (f32x4.mul (local.get $p) (v128.load offset=32 (local.get $qv))) (local.get $vas))))
            (local.set $p (i32x4.add (local.get $xs) (v128.load offset=48 (local.get $q))))
            (local.set $p (v128.andnot
              (v128.bitselect (local.get $vmaxb) (i32x4.sub (local.get $p) (local.get $voff)) (i32x4.gt_u (local.get $p) (local.get $vO)))
              (i32x4.lt_u (local.get $p) (local.get $vU))))
            (local.set $a3 (f32x4.add (local.get $a3)
              (f32x4.mul (f32x4.mul (local.get $p) (v128.load offset=48 (local.get $qv))) (local.get $vas))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $lk)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (v128.store offset=0 (local.get $q) (local.get $a0))
        (v128.store offset=16 (local.get $q) (local.get $a1))
        (v128.store offset=32 (local.get $q) (local.get $a2))
        (v128.store offset=48 (local.get $q) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $l16)))
    (block $l4_done
      (loop $l4
        (br_if $l4_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load (local.get $q)))
        (local.set $e (local.get $list))
        (block $lk4_done
          (loop $lk4
            (br_if $lk4_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (i32x4.splat (i32.load (local.get $e))))
            (local.set $vas (f32x4.splat (f32.load offset=8 (local.get $e))))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $qv (i32.add (i32.load offset=12 (local.get $e)) (local.get $j)))
            (local.set $p (i32x4.add (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $p (v128.andnot
              (v128.bitselect (local.get $vmaxb) (i32x4.sub (local.get $p) (local.get $voff)) (i32x4.gt_u (local.get $p) (local.get $vO)))
              (i32x4.lt_u (local.get $p) (local.get $vU))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (f32x4.mul (local.get $p) (v128.load offset=0 (local.get $qv))) (local.get $vas))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $lk4)))
        (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l4)))
    (block $l1_done
      (loop $l1
        (br_if $l1_done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $s (f32.load (i32.add (local.get $row) (local.get $j))))
        (local.set $e (local.get $list))
        (block $lk1_done
          (loop $lk1
            (br_if $lk1_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $ti (i32.add (i32.load (local.get $e)) (i32.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))))
            (local.set $ti (select (i32.const 0)
              (select (local.get $lmax) (i32.sub (local.get $ti) (local.get $loff)) (i32.gt_u (local.get $ti) (local.get $lo)))
              (i32.lt_u (local.get $ti) (local.get $lu))))
            (local.set $s (f32.add (local.get $s)
              (f32.mul (f32.mul (f32.reinterpret_i32 (local.get $ti))
                (f32.load (i32.add (i32.load offset=12 (local.get $e)) (local.get $j))))
                (f32.load offset=8 (local.get $e)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $lk1)))
        (f32.store (i32.add (local.get $row) (local.get $j)) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l1)))
      )
      (else
    (if (i32.eqz (local.get $round))
      (then
  ;; 32 outputs at a time: eight lane groups in registers
    (block $b32_done
      (loop $b32
        (br_if $b32_done (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $a4 (v128.load offset=64 (local.get $q)))
        (local.set $a5 (v128.load offset=80 (local.get $q)))
        (local.set $a6 (v128.load offset=96 (local.get $q)))
        (local.set $a7 (v128.load offset=112 (local.get $q)))
        (local.set $e (local.get $list))
        (block $k_done
          (loop $k
            (br_if $k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $xs) (v128.load offset=64 (local.get $q)))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $xs) (v128.load offset=80 (local.get $q)))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $xs) (v128.load offset=96 (local.get $q)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $xs) (v128.load offset=112 (local.get $q)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $k)))
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
        (br $b32)))
    ;; 4 outputs at a time
    (block $b4_done
      (loop $b4
        (br_if $b4_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load (local.get $q)))
        (local.set $e (local.get $list))
        (block $k4_done
          (loop $k4
            (br_if $k4_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (f32x4.splat (f32.load (local.get $e)))
                (v128.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j))))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $k4)))
        (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $b4)))
    ;; the last outputs one at a time
    (block $b1_done
      (loop $b1
        (br_if $b1_done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $s (f32.load (i32.add (local.get $row) (local.get $j))))
        (local.set $e (local.get $list))
        (block $k1_done
          (loop $k1
            (br_if $k1_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $s (f32.add (local.get $s)
              (f32.mul (f32.load (local.get $e))
                (f32.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j))))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $k1)))
        (f32.store (i32.add (local.get $row) (local.get $j)) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $b1)))
      )
      (else
    ;; rounded products without the sign's two steps (modes 4 and 5: no state of the row is -0, so
    ;; the sign of a product that rounds to zero changes no sum; fround(s + p) differs between p = +0
    ;; and -0 only for s = -0). M = 1.5 * 2^(e + $shift), e = max(exponent of p, exponent of
    ;; $minN), has the narrow format's step at e as its binary32 ulp, and p + M stays in M's binade
    ;; for either sign of p (|p| < 2^(e+1) <= M / 3 for $shift >= 2): the sum rounds p to nearest
    ;; even on that step (M is an even multiple of it) and the subtraction is exact. Mode 5 also
    ;; drops the clamp: the caller saw that no |x| * |w| of the row exceeds $max.
    (if (i32.ge_u (local.get $round) (i32.const 4))
      (then
        (if (i32.eq (local.get $round) (i32.const 5))
          (then
    ;; 32 outputs at a time (no product can exceed $max)
    (block $t32_done
      (loop $t32
        (br_if $t32_done (i32.gt_u (i32.add (local.get $j) (i32.const 128)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $a4 (v128.load offset=64 (local.get $q)))
        (local.set $a5 (v128.load offset=80 (local.get $q)))
        (local.set $a6 (v128.load offset=96 (local.get $q)))
        (local.set $a7 (v128.load offset=112 (local.get $q)))
        (local.set $e (local.get $list))
        (block $t32k_done
          (loop $t32k
            (br_if $t32k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=64 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=80 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=96 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=112 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $t32k)))
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
        (br $t32)))
    ;; 16 outputs at a time (no product can exceed $max)
    (block $t16_done
      (loop $t16
        (br_if $t16_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $e (local.get $list))
        (block $t16k_done
          (loop $t16k
            (br_if $t16k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $t16k)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (v128.store offset=0 (local.get $q) (local.get $a0))
        (v128.store offset=16 (local.get $q) (local.get $a1))
        (v128.store offset=32 (local.get $q) (local.get $a2))
        (v128.store offset=48 (local.get $q) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $t16)))
          )
          (else
    ;; 16 outputs at a time, products clamped to +-$max first
    (block $s16_done
      (loop $s16
        (br_if $s16_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $e (local.get $list))
        (block $s16k_done
          (loop $s16k
            (br_if $s16k_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $mgv (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $s16k)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (v128.store offset=0 (local.get $q) (local.get $a0))
        (v128.store offset=16 (local.get $q) (local.get $a1))
        (v128.store offset=32 (local.get $q) (local.get $a2))
        (v128.store offset=48 (local.get $q) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $s16)))
          ))))
    ;; rounded products, 16 outputs at a time
    (block $r16_done
      (loop $r16
        (br_if $r16_done (i32.gt_u (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load offset=0 (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $a2 (v128.load offset=32 (local.get $q)))
        (local.set $a3 (v128.load offset=48 (local.get $q)))
        (local.set $e (local.get $list))
        (block $rk_done
          (loop $rk
            (br_if $rk_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $xs (v128.load32_splat (local.get $e)))
            (local.set $q (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $sg (v128.and (local.get $p) (local.get $vsign)))
            (local.set $mgv (v128.or (local.get $sg) (i32x4.add (local.get $vmagic)
              (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp))))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (v128.or (local.get $sg) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv)))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $sg (v128.and (local.get $p) (local.get $vsign)))
            (local.set $mgv (v128.or (local.get $sg) (i32x4.add (local.get $vmagic)
              (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp))))))
            (local.set $a1 (f32x4.add (local.get $a1)
              (v128.or (local.get $sg) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv)))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $sg (v128.and (local.get $p) (local.get $vsign)))
            (local.set $mgv (v128.or (local.get $sg) (i32x4.add (local.get $vmagic)
              (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp))))))
            (local.set $a2 (f32x4.add (local.get $a2)
              (v128.or (local.get $sg) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv)))))
            (local.set $p (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $q))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $sg (v128.and (local.get $p) (local.get $vsign)))
            (local.set $mgv (v128.or (local.get $sg) (i32x4.add (local.get $vmagic)
              (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp))))))
            (local.set $a3 (f32x4.add (local.get $a3)
              (v128.or (local.get $sg) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $rk)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (v128.store offset=0 (local.get $q) (local.get $a0))
        (v128.store offset=16 (local.get $q) (local.get $a1))
        (v128.store offset=32 (local.get $q) (local.get $a2))
        (v128.store offset=48 (local.get $q) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $r16)))
    ;; 4 outputs at a time
    (block $r4_done
      (loop $r4
        (br_if $r4_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
        (local.set $q (i32.add (local.get $row) (local.get $j)))
        (local.set $a0 (v128.load (local.get $q)))
        (local.set $e (local.get $list))
        (block $rk4_done
          (loop $rk4
            (br_if $rk4_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $p (f32x4.mul (f32x4.splat (f32.load (local.get $e)))
              (v128.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))))
            (local.set $p (f32x4.pmin (local.get $vmax) (f32x4.pmax (local.get $vnmax) (local.get $p))))
            (local.set $sg (v128.and (local.get $p) (local.get $vsign)))
            (local.set $mgv (v128.or (local.get $sg) (i32x4.add (local.get $vmagic)
              (i32x4.max_u (local.get $vminN) (v128.and (local.get $p) (local.get $vexp))))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (v128.or (local.get $sg) (f32x4.sub (f32x4.add (local.get $p) (local.get $mgv)) (local.get $mgv)))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $rk4)))
        (v128.store (i32.add (local.get $row) (local.get $j)) (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $r4)))
    ;; the last outputs one at a time, with the same rounding on one lane
    (block $r1_done
      (loop $r1
        (br_if $r1_done (i32.ge_u (local.get $j) (local.get $nb)))
        (local.set $s (f32.load (i32.add (local.get $row) (local.get $j))))
        (local.set $e (local.get $list))
        (block $rk1_done
          (loop $rk1
            (br_if $rk1_done (i32.ge_u (local.get $e) (local.get $end)))
            (local.set $ps (f32.min (local.get $max) (f32.max (f32.neg (local.get $max))
              (f32.mul (f32.load (local.get $e))
                (f32.load (i32.add (i32.load offset=4 (local.get $e)) (local.get $j)))))))
            (local.set $mg (f32.reinterpret_i32 (i32.or
              (i32.and (i32.reinterpret_f32 (local.get $ps)) (i32.const 0x80000000))
              (i32.add (i32.shl (local.get $shift) (i32.const 23))
                (select (i32.and (i32.reinterpret_f32 (local.get $ps)) (i32.const 0x7f800000))
                  (i32.reinterpret_f32 (local.get $minN))
                  (i32.gt_u (i32.and (i32.reinterpret_f32 (local.get $ps)) (i32.const 0x7f800000))
                    (i32.reinterpret_f32 (local.get $minN))))))))
            (local.set $s (f32.add (local.get $s) (f32.reinterpret_i32 (i32.or
              (i32.and (i32.reinterpret_f32 (local.get $ps)) (i32.const 0x80000000))
              (i32.reinterpret_f32 (f32.sub (f32.add (local.get $ps) (local.get $mg)) (local.get $mg)))))))
            (local.set $e (i32.add (local.get $e) (i32.const 16)))
            (br $rk1)))
        (f32.store (i32.add (local.get $row) (local.get $j)) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $r1)))
      )))))))

  ;; narrow(n, x, o, mbits, bias, minNormal bits, maxFinite, satCode, infCode, nanCode, signShift,
  ;; values): fp32 values into the codes of a narrow float format (fp32-quantizer.ts), four lanes
  ;; at a time (x and o may be the same array; n rounded up to 4): the magnitude rounded to
  ;; nearest even on the format's step at its exponent (adding and subtracting M = 1.5 *
  ;; 2^(e + 23 - mbits), e = max(exponent of |x|, the format's smallest normal exponent): |x| + M
  ;; stays in M's binade, so the sum rounds |x| on that step and the subtraction is exact), then
  ;; the code: the exponent field rebiased and the top mbits of the significand for a normal
  ;; result, |r| / 2^(emin - mbits) for a subnormal one; above the largest finite value satCode,
  ;; +-Inf infCode, with the sign bit; NaN nanCode. With $values = 1 each output is the code's
  ;; value as fp32 bits instead: the rounded magnitude r (that value exactly) with x's sign, $sat,
  ;; $inf and $nan the bits of those codes' values and $signShift 31 (a GEMM's operands quantized
  ;; where the rows read them). The caller compares every class of fp32 input with its table
  ;; before using either form (the code depends on the top 16 bits and whether the low 16 are
  ;; zero), so a format it misdescribes never runs.
  (func (export "narrow")
    (param $n i32) (param $px i32) (param $po i32) (param $mbits i32) (param $bias i32)
    (param $minN i32) (param $max f32) (param $sat i32) (param $inf i32) (param $nan i32) (param $signShift i32)
    (param $values i32)
    (local $i i32) (local $b v128) (local $a v128) (local $m v128) (local $r v128) (local $code v128)
    (local $vminN v128) (local $vhalf v128) (local $vrebias v128) (local $vscale v128) (local $vmax v128)
    (local $vsat v128) (local $vinf v128) (local $vnan v128) (local $vcap v128) (local $shift i32) (local $end i32)
    (local $vabs v128) (local $vexp v128) (local $vsign v128)
    (local.set $shift (i32.sub (i32.const 23) (local.get $mbits)))
    (local.set $vminN (i32x4.splat (local.get $minN)))
    (local.set $vhalf (i32x4.splat (i32.add (i32.shl (local.get $shift) (i32.const 23)) (i32.const 0x400000))))
    ;; a normal result's bits minus this, shifted right by 23 - mbits, are its code's exponent and mantissa fields
    (local.set $vrebias (i32x4.splat (i32.shl (i32.sub (i32.const 127) (local.get $bias)) (i32.const 23))))
    ;; a subnormal result times 2^(mbits + bias - 1) is its code
    (local.set $vscale (f32x4.splat (f32.reinterpret_i32 (i32.shl (i32.add (i32.const 127) (i32.sub (i32.add (local.get $mbits) (local.get $bias)) (i32.const 1))) (i32.const 23)))))
    (local.set $vmax (f32x4.splat (local.get $max)))
    (local.set $vcap (f32x4.splat (f32.mul (local.get $max) (f32.const 4))))
    (local.set $vsat (i32x4.splat (local.get $sat)))
    (local.set $vinf (i32x4.splat (local.get $inf)))
    (local.set $vnan (i32x4.splat (local.get $nan)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vabs (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $vexp (i32x4.splat (i32.const 0x7f800000)))
    ;; values: the same steps with the sign bit's mask kept and no code fields, in a loop of
    ;; their own (fewer values live across it)
    (if (local.get $values)
      (then
        (local.set $vsign (i32x4.splat (i32.const 0x80000000)))
        (block $vdone
          (loop $veach
            (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $b (v128.load (i32.add (local.get $px) (local.get $i))))
            (local.set $a (v128.and (local.get $b) (local.get $vabs)))
            (local.set $r (f32x4.pmin (local.get $vcap) (local.get $a)))
            (local.set $m (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $r) (local.get $vexp)))))
            (local.set $r (f32x4.sub (f32x4.add (local.get $r) (local.get $m)) (local.get $m)))
            (local.set $code (v128.bitselect (local.get $vsat) (local.get $r) (f32x4.gt (local.get $r) (local.get $vmax))))
            (local.set $code (v128.bitselect (local.get $vinf) (local.get $code) (i32x4.eq (local.get $a) (local.get $vexp))))
            (local.set $code (v128.or (local.get $code) (v128.and (local.get $b) (local.get $vsign))))
            (v128.store (i32.add (local.get $po) (local.get $i))
              (v128.bitselect (local.get $vnan) (local.get $code) (i32x4.gt_u (local.get $a) (local.get $vexp))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $veach)))
        (return)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $b (v128.load (i32.add (local.get $px) (local.get $i))))
        (local.set $a (v128.and (local.get $b) (local.get $vabs)))
        ;; rounded from at most $cap (beyond the largest finite value's rounding: it stays an
        ;; overflow, and M's exponent stays in range); NaN passes through pmin
        (local.set $r (f32x4.pmin (local.get $vcap) (local.get $a)))
        (local.set $m (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $r) (local.get $vexp)))))
        (local.set $r (f32x4.sub (f32x4.add (local.get $r) (local.get $m)) (local.get $m)))
        (local.set $code (v128.bitselect
          (i32x4.shr_u (i32x4.sub (local.get $r) (local.get $vrebias)) (local.get $shift))
          (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $r) (local.get $vscale)))
          (i32x4.ge_u (local.get $r) (local.get $vminN))))
        (local.set $code (v128.bitselect (local.get $vsat) (local.get $code) (f32x4.gt (local.get $r) (local.get $vmax))))
        (local.set $code (v128.bitselect (local.get $vinf) (local.get $code) (i32x4.eq (local.get $a) (local.get $vexp))))
        (local.set $code (v128.or (local.get $code) (i32x4.shl (i32x4.shr_u (local.get $b) (i32.const 31)) (local.get $signShift))))
        (v128.store (i32.add (local.get $po) (local.get $i))
          (v128.bitselect (local.get $vnan) (local.get $code) (i32x4.gt_u (local.get $a) (local.get $vexp))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; absMax(p, count): the largest |w| of count f32 values (NaN if one is NaN): a one-call B's
  ;; largest weight, for the choice of a row's mode, four lanes at a time
  (func (export "absMax") (param $p i32) (param $count i32) (result f32)
    (local $end i32) (local $m v128) (local $r f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (f32x4.max (local.get $m) (f32x4.abs (v128.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (local.set $r (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $count) (i32.const 3)) (i32.const 2))))
    (block $s_done
      (loop $s
        (br_if $s_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $r (f32.max (local.get $r) (f32.abs (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $s)))
    (local.get $r))

  ;; pass(m, k, k0, ku, n, a, dec, usable, w, acc, scratch, flags, list, keepZeros, round...):
  ;; a tile kernel's pass over A's bit patterns (u32, m x k) and float64 states (m x n), for the
  ;; products k0 .. k0+ku-1. Activation values come from the table at $dec (f32 per code), or
  ;; are the bit patterns themselves ($dec = -1: fp32 operands). A row runs only if every code
  ;; in it has usable[code] = 1 ($usable = -1: all codes) and every state is an fp32 value
  ;; (NaN included); zero activations are skipped unless $keepZeros or a state is -0 (fp32's
  ;; -0 + +0 = +0). flags[i] = 1 for the rows run, 0 for those left to the caller; states of
  ;; rows left alone are not written.
  (func (export "pass")
    (param $m i32) (param $k i32) (param $k0 i32) (param $ku i32) (param $n i32)
    (param $a i32) (param $dec i32) (param $usable i32) (param $w i32) (param $acc i32)
    (param $scratch i32) (param $flags i32) (param $list i32) (param $keepZeros i32)
    (param $round i32) (param $shift i32) (param $minN f32) (param $max f32)
    (param $v i32) (param $dec2 i32) (param $lu i32) (param $lo i32) (param $loff i32) (param $lmax i32)
    (param $wmax f32) (param $fresh i32) (param $cols i32) (param $out32 i32) (param $bias i32)
    (param $kmax i32) (param $tiny f32) (param $splits i32)
    (result i32)
    (local $ts i32) (local $sl i32) (local $split i32) (local $c f32) (local $bsum f32) (local $nsplit i32) (local $q i32)
    (local $small f32) (local $step f32) (local $bound f32) (local $m0 i32)
    (local $va f32) (local $xmb i32) (local $mb i32) (local $mode i32) (local $pa i32) (local $pw i32) (local $pend i32)
    (local $i i32) (local $u i32) (local $j i32) (local $flag i32) (local $t i32) (local $nb i32)
    (local $code i32) (local $xv f32) (local $s f64) (local $f f32) (local $src i32) (local $dst i32) (local $si i32)
    (local $nbr i32) (local $keepAll i32) (local $pk i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    ;; $splits: twice the smallest normal, the step q = minN 2^(shift - 23) of the format's first
    ;; two binades, the bound 2^22 q and M0's bits (1.5 * 2^shift minN, mode 6 of $row)
    (local.set $small (f32.mul (local.get $minN) (f32.const 2)))
    (local.set $step (f32.mul (local.get $minN) (f32.reinterpret_i32 (i32.shl (i32.add (i32.const 104) (local.get $shift)) (i32.const 23)))))
    (local.set $bound (f32.mul (local.get $step) (f32.const 4194304)))
    (local.set $m0 (i32.add (i32.reinterpret_f32 (local.get $minN)) (i32.add (i32.shl (local.get $shift) (i32.const 23)) (i32.const 0x400000))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $flag (select (i32.const 2) (i32.const 1) (local.get $keepZeros)))
        ;; the states into fp32: each must be one (or NaN); a -0 state means zeros are added
        (local.set $src (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
        (local.set $j (i32.const 0))
        ;; $fresh: every state is +0 (a GEMM's first pass), so the row starts from zeros unread
        (if (local.get $fresh)
          (then
            (block $zeros_done
              (loop $zeros
                (br_if $zeros_done (i32.ge_u (local.get $j) (local.get $nb)))
                (v128.store (i32.add (local.get $scratch) (local.get $j)) (v128.const i64x2 0 0))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $zeros)))
            (local.set $j (local.get $n))))
        (block $states_done
          (loop $states
            (br_if $states_done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $s (f64.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))))
            (if (i32.eq (local.get $round) (i32.const 3))
              (then
                ;; int32 states: each must be an int32 (not -0)
                (local.set $si (i32.trunc_sat_f64_s (local.get $s)))
                (if (i64.ne (i64.reinterpret_f64 (f64.convert_i32_s (local.get $si))) (i64.reinterpret_f64 (local.get $s)))
                  (then (local.set $flag (i32.const 0)) (br $states_done)))
                (i32.store (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))) (local.get $si)))
              (else
                (local.set $f (f32.demote_f64 (local.get $s)))
                (if (i32.and (f64.ne (f64.promote_f32 (local.get $f)) (local.get $s)) (f64.eq (local.get $s) (local.get $s)))
                  (then (local.set $flag (i32.const 0)) (br $states_done)))
                (if (i64.eq (i64.reinterpret_f64 (local.get $s)) (i64.const 0x8000000000000000))
                  (then (local.set $flag (i32.const 2))))
                (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))) (local.get $f))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $states)))
        ;; the row's kept products, in k order
        (local.set $t (local.get $list))
        (local.set $xmb (i32.const 0))
        (if (i32.and (i32.le_u (local.get $round) (i32.const 1)) (i32.lt_s (local.get $dec) (i32.const 0)))
          (then
            ;; fp32 operands, or values of the input format (quantized here by `narrow`): the same
            ;; list without a table; with rounded products a row holding a non-finite activation
            ;; is left to the caller (the codes' usable table leaves those codes out)
            (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $k0)) (i32.const 2))))
            (local.set $pend (i32.add (local.get $pa) (i32.shl (local.get $ku) (i32.const 2))))
            (local.set $pw (local.get $w))
            (local.set $keepAll (i32.eq (local.get $flag) (i32.const 2)))
            ;; rounded products from a fresh row ($splits, the caller saw it fresh): two lists,
            ;; the activations whose every product with their weight row is at most $small (twice
            ;; the format's smallest normal: c = |x| kmax, each product's step the subnormals'
            ;; q, mode 6 of $row) after the list's room, the others in k order from $list; those
            ;; rounding to zero (c <= $tiny) in neither. The rows then sum the small products first:
            ;; a change of order that changes no bit where every partial sum in either order is
            ;; exact, which holds when all products are multiples of q (every value of the format is)
            ;; and the sum of their magnitudes is at most 2^24 q: each rounded |r| <= 2|p|, so
            ;; sum |p| <= 2^23 q is enough, which the binary32 sum of the c's bounds within a factor
            ;; 2: bsum <= $bound = 2^22 q. Above it, the one list in k order after all.
            (local.set $split (i32.const 0))
            (if (i32.and (local.get $splits)
                  (i32.and (i32.ge_s (local.get $kmax) (i32.const 0))
                    (i32.and (i32.eq (local.get $flag) (i32.const 1)) (i32.eq (local.get $round) (i32.const 1)))))
              (then
                (local.set $sl (i32.add (local.get $list) (i32.shl (local.get $ku) (i32.const 4))))
                (local.set $ts (local.get $sl))
                (local.set $pk (local.get $kmax))
                (local.set $bsum (f32.const 0))
                (block $svals_done
                  (loop $svals
                    (br_if $svals_done (i32.ge_u (local.get $pa) (local.get $pend)))
                    (local.set $code (i32.load (local.get $pa)))
                    (local.set $mb (i32.and (local.get $code) (i32.const 0x7fffffff)))
                    (local.set $xmb (select (local.get $mb) (local.get $xmb) (i32.gt_u (local.get $mb) (local.get $xmb))))
                    (local.set $c (f32.mul (f32.reinterpret_i32 (local.get $mb)) (f32.load (local.get $pk))))
                    (local.set $bsum (f32.add (local.get $bsum) (local.get $c)))
                    ;; written at the end of the list it may join (kept there only if the end moves on)
                    (local.set $q (select (local.get $ts) (local.get $t) (f32.le (local.get $c) (local.get $small))))
                    (i32.store (local.get $q) (local.get $code))
                    (i32.store offset=4 (local.get $q) (local.get $pw))
                    ;; large where c is not at most $small (NaN included), small above $tiny
                    (local.set $t (i32.add (local.get $t) (i32.shl
                      (i32.xor (f32.le (local.get $c) (local.get $small)) (i32.const 1)) (i32.const 4))))
                    (local.set $ts (i32.add (local.get $ts) (i32.shl
                      (i32.and (f32.le (local.get $c) (local.get $small)) (f32.gt (local.get $c) (local.get $tiny))) (i32.const 4))))
                    (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                    (local.set $pw (i32.add (local.get $pw) (local.get $nb)))
                    (local.set $pk (i32.add (local.get $pk) (i32.const 4)))
                    (br $svals)))
                (if (f32.le (local.get $bsum) (local.get $bound))
                  (then
                    (local.set $split (i32.const 1))
                    (local.set $nsplit (i32.add (local.get $nsplit) (i32.const 1))))
                  (else
                    (local.set $t (local.get $list))
                    (local.set $xmb (i32.const 0))
                    (local.set $pa (i32.sub (local.get $pend) (i32.shl (local.get $ku) (i32.const 2))))
                    (local.set $pw (local.get $w))))))
            ;; rounded products from a row without a -0 state: an activation whose every product
            ;; with its weight row (at most |x| times that row's largest |w|, kmax) rounds to zero
            ;; (at most $tiny, half the format's smallest step; a tie goes to the even 0) adds +0
            ;; to each state, which leaves it as it is: left out of the list
            (if (i32.and (i32.ge_s (local.get $kmax) (i32.const 0))
                  (i32.and (i32.eq (local.get $flag) (i32.const 1)) (i32.eq (local.get $round) (i32.const 1))))
              (then
                (local.set $pk (local.get $kmax))
                (block $tvals_done
                  (loop $tvals
                    (br_if $tvals_done (i32.ge_u (local.get $pa) (local.get $pend)))
                    (local.set $code (i32.load (local.get $pa)))
                    (i32.store (local.get $t) (local.get $code))
                    (i32.store offset=4 (local.get $t) (local.get $pw))
                    (local.set $mb (i32.and (local.get $code) (i32.const 0x7fffffff)))
                    (local.set $xmb (select (local.get $mb) (local.get $xmb) (i32.gt_u (local.get $mb) (local.get $xmb))))
                    (local.set $t (i32.add (local.get $t) (i32.shl
                      (i32.xor (f32.le (f32.mul (f32.reinterpret_i32 (local.get $mb)) (f32.load (local.get $pk))) (local.get $tiny)) (i32.const 1)) (i32.const 4))))
                    (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                    (local.set $pw (i32.add (local.get $pw) (local.get $nb)))
                    (local.set $pk (i32.add (local.get $pk) (i32.const 4)))
                    (br $tvals)))
                (local.set $pa (local.get $pend))))
            (block $vals_done
              (loop $vals
                (br_if $vals_done (i32.ge_u (local.get $pa) (local.get $pend)))
                (local.set $code (i32.load (local.get $pa)))
                (i32.store (local.get $t) (local.get $code))
                (i32.store offset=4 (local.get $t) (local.get $pw))
                (local.set $mb (i32.and (local.get $code) (i32.const 0x7fffffff)))
                (local.set $xmb (select (local.get $mb) (local.get $xmb) (i32.gt_u (local.get $mb) (local.get $xmb))))
                (local.set $t (i32.add (local.get $t) (i32.shl
                  (i32.or (local.get $keepAll) (i32.ne (local.get $mb) (i32.const 0))) (i32.const 4))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pw (i32.add (local.get $pw) (local.get $nb)))
                (br $vals)))
            (if (i32.and (i32.eq (local.get $round) (i32.const 1)) (i32.ge_u (local.get $xmb) (i32.const 0x7f800000)))
              (then (local.set $flag (i32.const 0)))))
          (else
        (if (i32.and (i32.le_u (local.get $round) (i32.const 1)) (i32.ge_s (local.get $dec) (i32.const 0)))
          (then
            ;; fp32 or rounded products of decoded operands (the common case): pointers walk A's
            ;; row and W's rows, and an entry is the activation and its weight row only
            (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $k0)) (i32.const 2))))
            (local.set $pend (i32.add (local.get $pa) (i32.shl (local.get $ku) (i32.const 2))))
            (local.set $pw (local.get $w))
            ;; zeros kept too (a -0 state): the same for the whole row
            (local.set $keepAll (i32.eq (local.get $flag) (i32.const 2)))
            (block $fast_done
              (loop $fast
                (br_if $fast_done (i32.or (i32.eqz (local.get $flag)) (i32.ge_u (local.get $pa) (local.get $pend))))
                (local.set $code (i32.load (local.get $pa)))
                (if (i32.ge_s (local.get $usable) (i32.const 0))
                  (then
                    (if (i32.eqz (i32.load8_u (i32.add (local.get $usable) (local.get $code))))
                      (then (local.set $flag (i32.const 0)) (br $fast_done)))))
                (local.set $xv (f32.load (i32.add (local.get $dec) (i32.shl (local.get $code) (i32.const 2)))))
                ;; written every time, kept (the end moved on) unless a zero is skipped: no branch
                ;; on the data (zeros of GELU outputs and masked attention weights come unpredictably)
                (f32.store (local.get $t) (local.get $xv))
                (i32.store offset=4 (local.get $t) (local.get $pw))
                ;; |x| as bits: their unsigned order is the magnitudes' (a NaN above every number),
                ;; a compare and select where f32.max's NaN and signed-zero rules take a longer sequence;
                ;; and not 0 exactly where x is no zero (NaN included)
                (local.set $mb (i32.and (i32.reinterpret_f32 (local.get $xv)) (i32.const 0x7fffffff)))
                (local.set $xmb (select (local.get $mb) (local.get $xmb) (i32.gt_u (local.get $mb) (local.get $xmb))))
                (local.set $t (i32.add (local.get $t) (i32.shl
                  (i32.or (local.get $keepAll) (i32.ne (local.get $mb) (i32.const 0))) (i32.const 4))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                (local.set $pw (i32.add (local.get $pw) (local.get $nb)))
                (br $fast))))
          (else
            (local.set $u (i32.const 0))
            (block $list_done
              (loop $build
                (br_if $list_done (i32.or (i32.eqz (local.get $flag)) (i32.ge_u (local.get $u) (local.get $ku))))
                (local.set $code (i32.load (i32.add (local.get $a)
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (i32.add (local.get $k0) (local.get $u))) (i32.const 2)))))
                (if (i32.ge_s (local.get $usable) (i32.const 0))
                  (then
                    (if (i32.eqz (i32.load8_u (i32.add (local.get $usable) (local.get $code))))
                      (then (local.set $flag (i32.const 0)) (br $list_done)))))
                (local.set $xv (if (result f32) (i32.lt_s (local.get $dec) (i32.const 0))
                  (then (f32.reinterpret_i32 (local.get $code)))
                  (else (f32.load (i32.add (local.get $dec) (i32.shl (local.get $code) (i32.const 2)))))))
                ;; L-Mul: the sign (+-1, or +-0 for a zero or subnormal activation) from the second table
                (local.set $va (if (result f32) (i32.eq (local.get $round) (i32.const 2))
                  (then (f32.load (i32.add (local.get $dec2) (i32.shl (local.get $code) (i32.const 2)))))
                  (else (if (result f32) (i32.eq (local.get $round) (i32.const 3))
                    (then (f32.convert_i32_s (i32.reinterpret_f32 (local.get $xv))))
                    (else (local.get $xv))))))
                (if (i32.or (i32.eq (local.get $flag) (i32.const 2)) (f32.ne (local.get $va) (f32.const 0)))
                  (then
                    (f32.store (local.get $t) (local.get $xv))
                    (i32.store offset=4 (local.get $t) (i32.add (local.get $w) (i32.mul (local.get $u) (local.get $nb))))
                    (f32.store offset=8 (local.get $t) (local.get $va))
                    (i32.store offset=12 (local.get $t) (i32.add (local.get $v) (i32.mul (local.get $u) (local.get $nb))))
                    (local.set $mb (i32.and (i32.reinterpret_f32 (local.get $xv)) (i32.const 0x7fffffff)))
                    (local.set $xmb (select (local.get $mb) (local.get $xmb) (i32.gt_u (local.get $mb) (local.get $xmb))))
                    (local.set $t (i32.add (local.get $t) (i32.const 16)))))
                (local.set $u (i32.add (local.get $u) (i32.const 1)))
                (br $build)))
          ))))
        ;; rounded products of a row with no -0 state: mode 4, or 5 when no product can exceed
        ;; $max (every |x| of the row times the largest |w| of the tile, $wmax, at most $max)
        (local.set $mode (local.get $round))
        (if (i32.and (i32.eq (local.get $round) (i32.const 1)) (i32.eq (local.get $flag) (i32.const 1)))
          (then (local.set $mode (select (i32.const 5) (i32.const 4)
            (f64.le (f64.mul (f64.promote_f32 (f32.reinterpret_i32 (local.get $xmb))) (f64.promote_f32 (local.get $wmax))) (f64.promote_f32 (local.get $max)))))))
        (if (local.get $flag)
          (then
            ;; $cols: the row's outputs past cols[i] (rounded up to 16) are left at +0
            (local.set $nbr (local.get $nb))
            (if (i32.ge_s (local.get $cols) (i32.const 0))
              (then
                (local.set $nbr (i32.shl (i32.and (i32.add (i32.load (i32.add (local.get $cols) (i32.shl (local.get $i) (i32.const 2))))
                  (i32.const 15)) (i32.const -16)) (i32.const 2)))
                (if (i32.gt_u (local.get $nbr) (local.get $nb)) (then (local.set $nbr (local.get $nb))))))
            ;; a split row: its small products first, as int32 sums of bits(p + M0), then those
            ;; into fp32, (sum - count * bits(M0)) q (exact: |sum| <= 2^24 by the bound)
            (if (i32.and (local.get $split) (i32.gt_u (local.get $ts) (local.get $sl)))
              (then
                (call $row (local.get $sl) (local.get $ts) (local.get $scratch) (local.get $nbr)
                  (i32.const 6) (local.get $shift) (local.get $minN) (local.get $max)
                  (local.get $lu) (local.get $lo) (local.get $loff) (local.get $lmax))
                (local.set $si (i32.mul (i32.shr_u (i32.sub (local.get $ts) (local.get $sl)) (i32.const 4)) (local.get $m0)))
                (local.set $j (i32.const 0))
                (block $cv4_done
                  (loop $cv4
                    (br_if $cv4_done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $nbr)))
                    (v128.store (i32.add (local.get $scratch) (local.get $j))
                      (f32x4.mul (f32x4.convert_i32x4_s (i32x4.sub (v128.load (i32.add (local.get $scratch) (local.get $j))) (i32x4.splat (local.get $si))))
                        (f32x4.splat (local.get $step))))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br $cv4)))
                (block $cv1_done
                  (loop $cv1
                    (br_if $cv1_done (i32.ge_u (local.get $j) (local.get $nbr)))
                    (f32.store (i32.add (local.get $scratch) (local.get $j))
                      (f32.mul (f32.convert_i32_s (i32.sub (i32.load (i32.add (local.get $scratch) (local.get $j))) (local.get $si))) (local.get $step)))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $cv1)))))
            (call $row (local.get $list) (local.get $t) (local.get $scratch) (local.get $nbr)
              (local.get $mode) (local.get $shift) (local.get $minN) (local.get $max)
              (local.get $lu) (local.get $lo) (local.get $loff) (local.get $lmax))
            ;; $out32: the row's fp32 values as they are, at 4 bytes an output, four at a time
            (local.set $j (i32.const 0))
            (if (local.get $out32)
              (then
                (local.set $dst (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
                (if (i32.ge_s (local.get $bias) (i32.const 0))
                  (then
                    ;; with a bias: bias[j] + the result, a binary32 addition (the add node's order)
                    (block $b4_done
                      (loop $b4
                        (br_if $b4_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
                        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (f32x4.add (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
                            (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))
                        (local.set $j (i32.add (local.get $j) (i32.const 4)))
                        (br $b4)))
                    (block $b1_done
                      (loop $b1
                        (br_if $b1_done (i32.ge_u (local.get $j) (local.get $n)))
                        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                          (f32.add (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
                            (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (br $b1)))))
                (block $c4_done
                  (loop $c4
                    (br_if $c4_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
                    (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                      (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $c4)))
                (block $c1_done
                  (loop $c1
                    (br_if $c1_done (i32.ge_u (local.get $j) (local.get $n)))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                      (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $c1)))
                ;; (the float64 loops below find $j at n)
                ))
            ;; two states at a time, then the last one
            (if (i32.eq (local.get $round) (i32.const 3))
              (then
                (block $backi_done
                  (loop $backi
                    (br_if $backi_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
                    (v128.store (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))
                      (f64x2.convert_low_i32x4_s (v128.load64_zero (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 2)))
                    (br $backi))))
              (else
                (block $backf_done
                  (loop $backf
                    (br_if $backf_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
                    (v128.store (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))
                      (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 2)))
                    (br $backf)))))
            (block $back_done
              (loop $back
                (br_if $back_done (i32.ge_u (local.get $j) (local.get $n)))
                (f64.store (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))
                  (if (result f64) (i32.eq (local.get $round) (i32.const 3))
                    (then (f64.convert_i32_s (i32.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))
                    (else (f64.promote_f32 (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $back)))))
        ;; a row left to the caller keeps its states: with $fresh they were never copied in
        (if (i32.and (i32.and (i32.eqz (local.get $flag)) (i32.ne (local.get $fresh) (i32.const 0))) (i32.eqz (local.get $out32)))
          (then
            (local.set $j (i32.const 0))
            (block $keep_done
              (loop $keep
                (br_if $keep_done (i32.ge_u (local.get $j) (local.get $n)))
                (i64.store (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3))) (i64.const 0))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $keep)))))
        (i32.store8 (i32.add (local.get $flags) (local.get $i)) (i32.ne (local.get $flag) (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    ;; the rows whose products were split in two lists
    (local.get $nsplit))
)
