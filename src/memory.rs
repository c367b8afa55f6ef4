//! Handing freed memory back to the system at the points where a big table was just let go
//! and more is about to be asked for.
//!
//! The binary's allocator, mimalloc, keeps freed memory for reuse and hands it back to the
//! system a second later. A stage that frees a gigabyte and a stage that then asks for one
//! would hold both for that second: at ten million rows, the end of name merging and the
//! building of the legs peaked 390 MB above either (docs/performance.md).

// The allocator's own library, linked wherever this crate is, so that the call below has it
// to call (in programs that allocate with another allocator it has nothing to hand back).
extern crate mimalloc;

unsafe extern "C" {
    /// mimalloc's: frees what its heaps keep and, `force`d, hands back to the system the memory
    /// freed but kept for reuse.
    safe fn mi_collect(force: bool);
}

/// Hands back to the system the memory freed and still kept by the allocator, now rather than
/// a second later. Costs a few milliseconds: called between stages, not in loops.
pub fn give_back_freed() {
    mi_collect(true);
}

#[cfg(test)]
mod tests {
    /// Callable from a program whose allocator is not mimalloc (as the tests are): then it has
    /// nothing to hand back, and does nothing.
    #[test]
    fn giving_back_is_harmless_under_another_allocator() {
        let v = vec![1u8; 1 << 20];
        drop(v);
        super::give_back_freed();
        super::give_back_freed();
    }
}
