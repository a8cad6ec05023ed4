"""Machine instructions numba does not offer, as numba intrinsics (layer L0).

    prefetch(X, i, j, level)       llvm.prefetch: bring the cache line of X[i, j] in (a hint)
    prefetch_ahead(X, i, j, bytes) … the line that many bytes past X[i, j], into every level
    prefetch_item(a, i)            … the line of a[i] of a 1-D array, into every level
    control = flush_subnormals()   x86: set MXCSR's FTZ and DAZ bits, return the old MXCSR
    restore_floating(control)      x86: put it back
    old = fetch_add(a, i, v)       atomically a[i] += v (int64, sequentially consistent)
    swapped = compare_swap(a, i, old, new)   atomically: a[i] = new if a[i] == old
    v = load_acquire(a, i)         an atomic read of a[i]: what was written before …
    store_release(a, i, v)         … an atomic write of a[i] is seen after the read that sees it
    spin_pause()                   x86: `pause`, the hint that this thread is spinning
    high, low = wide_product(a, b) the 128-bit product of two uint64 (one x86 `mul`)

The atomics let two threads of one numba parallel region hand work to each other
(`gdlab.batch_sharing`): numba itself offers no atomic operation, and LLVM may keep a plain
read of a[i] in a register for a whole loop, never seeing the other thread's write.

Flushing subnormals: an x86 core computes an operation that takes or gives a subnormal
number (|v| < 1.2e-38 in float32, 2.2e-308 in float64) in a microcode assist of ~100 cycles.
A float32 logistic fit whose margins |z| grow past ~80 meets them in e^−|z| and in every
update that e scales: its per-sample epochs slowed from 76 to 97 ms over eight epochs
(1M × 100), flat at 80 ms with FTZ/DAZ (torch offers the same switch,
`torch.set_flush_denormal`).  Values then differ from IEEE arithmetic only where it has a
subnormal number, which becomes ±0.  MXCSR belongs to the thread: each compiled function
that flushes restores the control word it found before it returns.  LLVM does not order
arithmetic against these calls, so an operation near one may run on its other side: flushed
or not, it gives IEEE's numbers but for subnormal ones.  On other machines both functions do
nothing.
"""

from __future__ import annotations

import platform
from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")
FLUSH_BITS = 0x8040  # MXCSR: FTZ (bit 15, results) | DAZ (bit 6, operands)


def _prefetch(typingctx: Any, array: Any, row: Any, column: Any, level: Any) -> Any:
    """prefetch(array, row, column, level): a hint to bring the cache line of array[row,
    column] in (llvm.prefetch, read): into every cache level (level 1, x86's prefetcht0) or
    into L2 and beyond (level 2, prefetcht1); level is a constant."""
    literal = getattr(level, "literal_value", None)
    if not (isinstance(array, types.Array) and array.ndim == 2 and literal in (1, 2)):
        return None
    locality = 3 if literal == 1 else 2

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        _prefetch_line(builder, _element(context, builder, sig, args), locality)
        return context.get_dummy_value()

    return types.void(array, row, column, level), codegen


def _prefetch_item(typingctx: Any, array: Any, index: Any) -> Any:
    """prefetch_item(array, index): a hint to bring the cache line of array[index] (a 1-D
    array) into every cache level."""
    if not (isinstance(array, types.Array) and array.ndim == 1):
        return None
    if not isinstance(index, types.Integer):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        _prefetch_line(builder, _element(context, builder, sig, args), 3)
        return context.get_dummy_value()

    return types.void(array, index), codegen


def _prefetch_ahead(typingctx: Any, array: Any, row: Any, column: Any, distance: Any) -> Any:
    """prefetch_ahead(array, row, column, distance): a hint to bring the cache line `distance`
    bytes past array[row, column] into every cache level — of the same array or not: a
    prefetch never faults (the address is computed as an integer, outside LLVM's bounds)."""
    if not (isinstance(array, types.Array) and array.ndim == 2):
        return None
    if not isinstance(distance, types.Integer):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        pointer = _element(context, builder, sig, args)
        offset = context.cast(builder, args[3], sig.args[3], types.intp)
        address = builder.add(builder.ptrtoint(pointer, offset.type), offset)
        _prefetch_line(builder, builder.inttoptr(address, pointer.type), 3)
        return context.get_dummy_value()

    return types.void(array, row, column, distance), codegen


def _element(context: Any, builder: Any, sig: Any, args: Any) -> Any:
    """The pointer to array[index, …]: the first argument indexed by as many following ones as
    it has dimensions."""
    array_type = sig.args[0]
    data = context.make_array(array_type)(context, builder, args[0])
    index = [context.cast(builder, args[k], sig.args[k], types.intp)
             for k in range(1, 1 + array_type.ndim)]  # fmt: skip
    return cgutils.get_item_pointer(context, builder, array_type, data, index)


def _prefetch_line(builder: Any, pointer: Any, locality: int) -> None:
    """Call llvm.prefetch(pointer, read, locality, data cache)."""
    int32 = ir.IntType(32)
    function_type = ir.FunctionType(ir.VoidType(), [pointer.type, int32, int32, int32])
    function = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
    builder.call(function, [pointer, int32(0), int32(locality), int32(1)])


def _control_word(builder: Any, name: str, word: Any | None = None) -> Any:
    """Call llvm.x86.sse.stmxcsr (word None: returns MXCSR) or ldmxcsr (loads `word`)."""
    slot = cgutils.alloca_once(builder, ir.IntType(32))
    if word is not None:
        builder.store(word, slot)
    function_type = ir.FunctionType(ir.VoidType(), [slot.type])
    builder.call(cgutils.get_or_insert_function(builder.module, function_type, name), [slot])
    return builder.load(slot)


def _flush_subnormals(typingctx: Any) -> Any:
    """flush_subnormals(): MXCSR |= FTZ | DAZ; returns the old MXCSR (0 where not x86)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        if not X86:
            return ir.IntType(32)(0)
        old = _control_word(builder, "llvm.x86.sse.stmxcsr")
        _control_word(builder, "llvm.x86.sse.ldmxcsr", builder.or_(old, old.type(FLUSH_BITS)))
        return old

    return types.uint32(), codegen


def _restore_floating(typingctx: Any, control: Any) -> Any:
    """restore_floating(control): MXCSR = control (what flush_subnormals returned)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        if X86:
            _control_word(builder, "llvm.x86.sse.ldmxcsr", args[0])
        return context.get_dummy_value()

    return types.void(types.uint32), codegen


def _counters(array: Any) -> bool:
    """Whether `array` is a 1-d int64 array (what the atomics work on)."""
    return isinstance(array, types.Array) and array.ndim == 1 and array.dtype == types.int64


def _fetch_add(typingctx: Any, array: Any, index: Any, value: Any) -> Any:
    """fetch_add(array, index, value): array[index] += value as one atomic operation
    (sequentially consistent); returns the value before."""
    if not (_counters(array) and isinstance(value, types.Integer)):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        amount = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", _element(context, builder, sig, args), amount, "seq_cst")

    return types.int64(array, index, value), codegen


def _compare_swap(typingctx: Any, array: Any, index: Any, expected: Any, value: Any) -> Any:
    """compare_swap(array, index, expected, value): if array[index] == expected, array[index] =
    value — as one atomic operation (sequentially consistent); whether it did."""
    integers = isinstance(expected, types.Integer) and isinstance(value, types.Integer)
    if not (_counters(array) and integers):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        old, new = (context.cast(builder, args[k], sig.args[k], types.int64) for k in (2, 3))
        pointer = _element(context, builder, sig, args)
        outcome = builder.cmpxchg(pointer, old, new, "seq_cst", "seq_cst")
        return builder.extract_value(outcome, 1)

    return types.boolean(array, index, expected, value), codegen


def _load_acquire(typingctx: Any, array: Any, index: Any) -> Any:
    """load_acquire(array, index): array[index], read atomically with acquire ordering (no
    later read or write of this thread moves before it)."""
    if not _counters(array):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.load_atomic(_element(context, builder, sig, args), "acquire", 8)

    return types.int64(array, index), codegen


def _store_release(typingctx: Any, array: Any, index: Any, value: Any) -> Any:
    """store_release(array, index, value): array[index] = value, written atomically with release
    ordering (no earlier read or write of this thread moves after it)."""
    if not (_counters(array) and isinstance(value, types.Integer)):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        amount = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(amount, _element(context, builder, sig, args), "release", 8)
        return context.get_dummy_value()

    return types.void(array, index, value), codegen


def _spin_pause(typingctx: Any) -> Any:
    """spin_pause(): x86's `pause` (llvm.x86.sse2.pause) in a loop that waits on another
    thread — it frees the core's resources to its sibling and leaves the loop without a
    pipeline flush; nothing on other machines."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        if X86:
            function_type = ir.FunctionType(ir.VoidType(), [])
            pause = cgutils.get_or_insert_function(builder.module, function_type,
                                                   "llvm.x86.sse2.pause")  # fmt: skip
            builder.call(pause, [])
        return context.get_dummy_value()

    return types.void(), codegen


def _wide_product(typingctx: Any, a: Any, b: Any) -> Any:
    """wide_product(a, b): (high, low), the upper and lower 64 bits of the 128-bit a·b (uint64
    operands): LLVM's i128 multiply, one `mul` on x86-64."""
    if not (a == types.uint64 and b == types.uint64):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        wide, word = ir.IntType(128), ir.IntType(64)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        high = builder.trunc(builder.lshr(product, wide(64)), word)
        return context.make_tuple(builder, sig.return_type, [high, builder.trunc(product, word)])

    return types.UniTuple(types.uint64, 2)(a, b), codegen


# typed as Any: the stubs count typingctx as an argument
prefetch: Any = intrinsic(_prefetch)
prefetch_ahead: Any = intrinsic(_prefetch_ahead)
prefetch_item: Any = intrinsic(_prefetch_item)
flush_subnormals: Any = intrinsic(_flush_subnormals)
restore_floating: Any = intrinsic(_restore_floating)
fetch_add: Any = intrinsic(_fetch_add)
compare_swap: Any = intrinsic(_compare_swap)
load_acquire: Any = intrinsic(_load_acquire)
store_release: Any = intrinsic(_store_release)
spin_pause: Any = intrinsic(_spin_pause)
wide_product: Any = intrinsic(_wide_product)
