;; fp32 values into the codes of a narrow float format (fp32-quantizer.ts), four lanes at a time:
;; the magnitude rounded to nearest even on the format's step at its exponent (adding and
;; subtracting M = 1.5 * 2^(e + 23 - mbits), e = max(exponent of |x|, the format's smallest
;; normal exponent): |x| + M stays in M's binade, so the sum rounds |x| on that step and the
;; subtraction is exact), then the code: the exponent field rebiased and the top mbits of the
;; significand for a normal result, |r| / 2^(emin - mbits) for a subnormal one; above the
;; largest finite value satCode, +-Inf infCode, with the sign bit; NaN nanCode. The
;; caller compares every class of fp32 input with its table before using it (the code depends
;; on the top 16 bits and whether the low 16 are zero), so a format it misdescribes never runs.
(module
  (memory (export "memory") 1)
  ;; narrow(n, x, o, mbits, bias, minNormal bits, maxFinite, satCode, infCode, nanCode, signShift)
  (func (export "narrow")
    (param $n i32) (param $px i32) (param $po i32) (param $mbits i32) (param $bias i32)
    (param $minN i32) (param $max f32) (param $sat i32) (param $inf i32) (param $nan i32) (param $signShift i32)
    (local $i i32) (local $b v128) (local $a v128) (local $m v128) (local $r v128) (local $code v128)
    (local $vminN v128) (local $vhalf v128) (local $vrebias v128) (local $vscale v128) (local $vmax v128)
    (local $vsat v128) (local $vinf v128) (local $vnan v128) (local $vcap v128) (local $shift i32) (local $end i32)
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
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $b (v128.load (i32.add (local.get $px) (local.get $i))))
        (local.set $a (v128.and (local.get $b) (i32x4.splat (i32.const 0x7fffffff))))
        ;; rounded from at most $cap (beyond the largest finite value's rounding: it stays an
        ;; overflow, and M's exponent stays in range); NaN passes through pmin
        (local.set $r (f32x4.pmin (local.get $vcap) (local.get $a)))
        (local.set $m (i32x4.add (local.get $vhalf) (i32x4.max_u (local.get $vminN) (v128.and (local.get $r) (i32x4.splat (i32.const 0x7f800000))))))
        (local.set $r (f32x4.sub (f32x4.add (local.get $r) (local.get $m)) (local.get $m)))
        (local.set $code (v128.bitselect
          (i32x4.shr_u (i32x4.sub (local.get $r) (local.get $vrebias)) (local.get $shift))
          (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $r) (local.get $vscale)))
          (i32x4.ge_u (local.get $r) (local.get $vminN))))
        (local.set $code (v128.bitselect (local.get $vsat) (local.get $code) (f32x4.gt (local.get $r) (local.get $vmax))))
        (local.set $code (v128.bitselect (local.get $vinf) (local.get $code) (i32x4.eq (local.get $a) (i32x4.splat (i32.const 0x7f800000)))))
        (local.set $code (v128.or (local.get $code) (i32x4.shl (i32x4.shr_u (local.get $b) (i32.const 31)) (local.get $signShift))))
        (v128.store (i32.add (local.get $po) (local.get $i))
          (v128.bitselect (local.get $vnan) (local.get $code) (i32x4.gt_u (local.get $a) (i32x4.splat (i32.const 0x7f800000)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))
)
