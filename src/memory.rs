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
    /// mimalloc's: sets option `option` (a `mi_option_t`) to `value`.
    safe fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (include/mimalloc.h): how long freed
/// memory is kept before it is handed back, in milliseconds.
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// Input files from this size on are a big batch run ([`give_back_at_once`]): about six million
/// shipment rows. Below it, time counts for more than memory (4M rows take 0.8 GB).
pub const BIG_INPUT_BYTES: u64 = 1 << 30;

/// Has the allocator hand back freed memory at once rather than a second later. The stages of
/// a big run free tables of hundreds of MB while the next ones are asked for: at ten million
/// rows, reading ended holding 0.35 GB freed but kept. Costs about 5 % of the time (freed
/// memory is asked for again from the system): for big batch runs, not the app.
pub fn give_back_at_once() {
    mi_option_set(MI_OPTION_PURGE_DELAY, 0);
}

/// From this many shipment rows, stages that could run side by side run one after the other
/// where their tables would otherwise be held together (the name merging and the making of the
/// legs, the screening and the tracing): side by side saves a few percent of the time (0.05 s
/// of 3 at a million rows, 0.3 s of 10 at four million); at ten million, one after the other
/// keeps a few hundred MB from being held at once. The results are the same either way.
pub const ONE_AT_A_TIME_FROM: usize = 8_000_000;

/// `a` and `b`, side by side on rayon's threads when `beside`, else one after the other (see
/// [`ONE_AT_A_TIME_FROM`]).
pub fn join_if<A: Send, B: Send>(
    beside: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if beside {
        rayon::join(a, b)
    } else {
        let a = a();
        (a, b())
    }
}

/// Hands back to the system the memory freed and still kept by the allocator, now rather than
/// a second later. Costs a few milliseconds: called between stages, not in loops.
pub fn give_back_freed() {
    mi_collect(true);
}

/// Hands back to the system the memory of `v`'s spare capacity (what lies past its last
/// element), keeping the capacity: for a table emptied from its end, whose allocation cannot be
/// shrunk without copying what is left of it. Whole pages only; elsewhere than Linux, nothing.
pub fn give_back_spare<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf reads a constant of the system and touches no memory of ours.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        let Ok(page) = usize::try_from(page) else {
            return;
        };
        if page == 0 || std::mem::size_of::<T>() == 0 {
            return;
        }
        let base = v.as_mut_ptr() as usize;
        let start = (base + v.len() * std::mem::size_of::<T>()).next_multiple_of(page);
        let end = (base + v.capacity() * std::mem::size_of::<T>()) / page * page;
        if end > start {
            // SAFETY: [start, end) lies inside the vector's allocation, past its last element:
            // memory it owns and holds nothing in (spare capacity is uninitialised). After
            // MADV_DONTNEED the pages read as zeros when next touched, which is as good as any
            // uninitialised memory; a refusal (EINVAL, say) leaves them as they were.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// `items` mapped by `f` into a new table in the same order, made a block of `block` items at a
/// time from the end: each block's items are taken out (in parallel) and the memory they held
/// handed back before the next, so that the two tables are never both held whole. For big
/// tables of big items (a scored row of each kept route is 344 bytes and its vectors).
pub fn map_from_the_end<T: Send, U: Send>(
    mut items: Vec<T>,
    block: usize,
    f: impl Fn(T) -> U + Sync,
) -> Vec<U> {
    use rayon::prelude::*;
    let n = items.len();
    let mut made: Vec<U> = Vec::with_capacity(n);
    let slots = &mut made.spare_capacity_mut()[..n];
    while !items.is_empty() {
        let start = items.len().saturating_sub(block.max(1));
        items
            .par_drain(start..)
            .zip(slots[start..].par_iter_mut())
            .for_each(|(item, slot)| {
                slot.write(f(item));
            });
        give_back_spare(&mut items);
    }
    // SAFETY: every slot of the first `n` was written: each block wrote the slots of the items
    // it took (`start..` of what was left), and the blocks took every item.
    unsafe { made.set_len(n) };
    made
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
        super::give_back_at_once();
        let v = vec![2u8; 1 << 20];
        assert_eq!(v.iter().map(|&b| usize::from(b)).sum::<usize>(), 2 << 20);
    }

    /// A table emptied from its end keeps its elements and its capacity, and takes new ones.
    #[test]
    fn giving_back_the_spare_keeps_what_is_held() {
        let mut v: Vec<u64> = (0..1_000_000).collect();
        v.truncate(1000);
        let capacity = v.capacity();
        super::give_back_spare(&mut v);
        assert_eq!(v.capacity(), capacity);
        assert!(v.iter().copied().eq(0..1000));
        v.extend(5..10);
        assert_eq!(v.len(), 1005);
        assert_eq!(v[1004], 9);
        let mut empty: Vec<u8> = Vec::new();
        super::give_back_spare(&mut empty);
        let mut zst = vec![(); 10];
        zst.truncate(2);
        super::give_back_spare(&mut zst);
        assert_eq!(zst.len(), 2);
    }

    proptest::proptest! {
        /// Whatever the block, the table made is the items mapped in order, each once.
        #[test]
        fn mapping_from_the_end_keeps_the_order(n in 0usize..3000, block in 0usize..700) {
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let made = super::map_from_the_end(items, block, |s| s.parse::<usize>().unwrap() * 2);
            proptest::prop_assert!(made.iter().copied().eq((0..n).map(|i| i * 2)));
        }
    }
}
