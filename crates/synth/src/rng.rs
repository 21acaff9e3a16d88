//! The one source of randomness: ChaCha8, seeded from a `u64`, so that a seed gives the same
//! data on every platform. Each patient draws from their own stream of the seed, so that
//! adding a draw for one patient leaves every other patient unchanged.
//!
//! Ranges are drawn over `i64`/`u32`, never `usize`, whose draws differ between 32- and
//! 64-bit targets.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// Stream `stream` of `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        Self(r)
    }

    /// A whole number in `lo..=hi`.
    pub(crate) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.0.random::<f64>() < p
    }

    /// A uniform float in `0..1`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// An index into a list of `len` elements (`len > 0`).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        let len = u32::try_from(len).unwrap_or(u32::MAX).max(1);
        self.0.random_range(0..len) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An element chosen with the given weights (all weights 0 picks the first).
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        if total == 0 {
            return &items[0].0;
        }
        let mut x = self.0.random_range(0..total);
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_independent() {
        let draw = |stream| {
            let mut r = Rng::new(7, stream);
            (0..5).map(|_| r.int(0, 1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn ranges_and_weights_stay_in_bounds() {
        let mut r = Rng::new(1, 0);
        for _ in 0..1000 {
            let x = r.int(-3, 3);
            assert!((-3..=3).contains(&x));
            assert!(r.index(4) < 4);
            assert_ne!(*r.weighted(&[('a', 0), ('b', 1)]), 'a');
        }
        assert_eq!(r.int(5, 5), 5);
    }
}
