//! The weight column of a thread's samples.
//!
//! Why not a plain `Vec<f64>`: most recordings weigh every sample the same (a `perf record -F` or
//! `cpu-clock` period, py-spy's 1 per sample), and then 8 of the 20 bytes a sample costs in memory
//! say nothing. [`Weights`] stores a run of equal weights as one value and a count, and turns into
//! an explicit vector the first time a different weight arrives. For a 1 GB `perf script` capture
//! (3.7 M samples at one period) that is 30 MB less, which is what keeps the whole model under a
//! tenth of the input size.
//!
//! It reads like a slice (`w[i]`, `w.iter()`, `for &x in &w`, `w == vec![...]`), so code that
//! consumes weights does not care which form it holds.

use std::fmt;
use std::ops::{Index, IndexMut};

/// Per-sample weights: one value repeated, or one value per sample.
#[derive(Clone, Default)]
pub struct Weights {
    /// One weight per sample; empty while every weight equals `uniform`.
    values: Vec<f64>,
    /// The weight of every sample while `values` is empty.
    uniform: f64,
    /// Number of samples.
    len: usize,
}

impl Weights {
    /// No weights.
    pub const fn new() -> Self {
        Weights {
            values: Vec::new(),
            uniform: 0.0,
            len: 0,
        }
    }

    /// Number of weights.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no weight.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True while every weight is the same value stored once.
    pub fn is_uniform(&self) -> bool {
        self.values.is_empty()
    }

    /// Appends a weight.
    #[inline]
    pub fn push(&mut self, w: f64) {
        if !self.values.is_empty() {
            self.values.push(w);
        } else if self.len == 0 {
            self.uniform = w;
        } else if w.to_bits() != self.uniform.to_bits() {
            self.materialize();
            self.values.push(w);
        }
        self.len += 1;
    }

    /// Appends all of `other`'s weights.
    pub fn extend_from(&mut self, other: &Weights) {
        if other.len == 0 {
            return;
        }
        let joins_run = self.values.is_empty()
            && other.values.is_empty()
            && (self.len == 0 || self.uniform.to_bits() == other.uniform.to_bits());
        if joins_run {
            self.uniform = other.uniform;
        } else {
            self.materialize();
            self.values.reserve(other.len);
            self.values.extend(other.iter());
        }
        self.len += other.len;
    }

    /// Sets weight `i` (which must exist) to `w`, staying in the one-value form when `w` is that
    /// value.
    pub fn set(&mut self, i: usize, w: f64) {
        if self.values.is_empty() && w.to_bits() == self.uniform.to_bits() {
            assert!(i < self.len, "weight index {i} out of range ({})", self.len);
            return;
        }
        self[i] = w;
    }

    /// Room for `n` more weights (only the explicit form stores them).
    pub fn reserve(&mut self, n: usize) {
        if !self.values.is_empty() {
            self.values.reserve(n);
        }
    }

    /// Keeps the first `n` weights.
    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
        self.values.truncate(self.len);
    }

    /// The weights in order.
    pub fn iter(&self) -> Iter<'_> {
        if self.values.is_empty() {
            Iter::Uniform(std::iter::repeat_n(&self.uniform, self.len))
        } else {
            Iter::Values(self.values.iter())
        }
    }

    /// The sum of all weights.
    pub fn sum(&self) -> f64 {
        if self.values.is_empty() {
            // Summed one by one like the explicit form, so both forms give the same total.
            (0..self.len).fold(0.0, |acc, _| acc + self.uniform)
        } else {
            self.values.iter().sum()
        }
    }

    /// The weights as a vector.
    pub fn to_vec(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<f64>()
    }

    /// Switches to one value per sample.
    fn materialize(&mut self) {
        if self.values.is_empty() && self.len > 0 {
            self.values = vec![self.uniform; self.len];
        }
    }
}

impl From<Vec<f64>> for Weights {
    /// Keeps `values` as they are (no copy), or one value when they are all the same.
    fn from(values: Vec<f64>) -> Self {
        let Some(&first) = values.first() else {
            return Weights::new();
        };
        let len = values.len();
        if values.iter().all(|v| v.to_bits() == first.to_bits()) {
            Weights {
                values: Vec::new(),
                uniform: first,
                len,
            }
        } else {
            Weights {
                values,
                uniform: first,
                len,
            }
        }
    }
}

impl FromIterator<f64> for Weights {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut w = Weights::new();
        for v in iter {
            w.push(v);
        }
        w
    }
}

impl Index<usize> for Weights {
    type Output = f64;
    #[inline]
    fn index(&self, i: usize) -> &f64 {
        if self.values.is_empty() {
            assert!(i < self.len, "weight index {i} out of range ({})", self.len);
            &self.uniform
        } else {
            &self.values[i]
        }
    }
}

impl IndexMut<usize> for Weights {
    /// Writing a weight switches to one value per sample.
    fn index_mut(&mut self, i: usize) -> &mut f64 {
        self.materialize();
        &mut self.values[i]
    }
}

/// An iterator over [`Weights`].
#[derive(Clone)]
pub enum Iter<'a> {
    /// The repeated value.
    Uniform(std::iter::RepeatN<&'a f64>),
    /// The explicit values.
    Values(std::slice::Iter<'a, f64>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a f64;
    #[inline]
    fn next(&mut self) -> Option<&'a f64> {
        match self {
            Iter::Uniform(it) => it.next(),
            Iter::Values(it) => it.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Uniform(it) => it.size_hint(),
            Iter::Values(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Weights {
    type Item = &'a f64;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl PartialEq for Weights {
    fn eq(&self, other: &Weights) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl PartialEq<Vec<f64>> for Weights {
    fn eq(&self, other: &Vec<f64>) -> bool {
        self.len == other.len() && self.iter().eq(other.iter())
    }
}

impl PartialEq<[f64]> for Weights {
    fn eq(&self, other: &[f64]) -> bool {
        self.len == other.len() && self.iter().eq(other.iter())
    }
}

impl<const N: usize> PartialEq<[f64; N]> for Weights {
    fn eq(&self, other: &[f64; N]) -> bool {
        self.len == N && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Weights {
    /// Like the vector of weights (the storage form is not part of the value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_weights_are_stored_once_and_read_like_a_vector() {
        let mut w = Weights::new();
        for _ in 0..1000 {
            w.push(25_000.0);
        }
        assert!(w.is_uniform());
        assert_eq!(w.heap_bytes(), 0);
        assert_eq!(w.len(), 1000);
        assert_eq!(w[999], 25_000.0);
        assert_eq!(w.sum(), 25_000_000.0);
        assert_eq!(w.iter().count(), 1000);
        assert_eq!(w, vec![25_000.0; 1000]);
    }

    #[test]
    fn a_different_weight_switches_to_explicit_values() {
        let mut w = Weights::new();
        w.push(1.0);
        w.push(1.0);
        w.push(5.0);
        w.push(1.0);
        assert!(!w.is_uniform());
        assert_eq!(w, [1.0, 1.0, 5.0, 1.0]);
        assert_eq!(w.sum(), 8.0);
        assert_eq!(format!("{w:?}"), "[1.0, 1.0, 5.0, 1.0]");
        w.truncate(2);
        assert_eq!(w.to_vec(), vec![1.0, 1.0]);
    }

    #[test]
    fn both_forms_compare_equal_and_extend_in_order() {
        let uniform: Weights = vec![2.0, 2.0].into();
        let mut explicit: Weights = vec![3.0, 2.0].into();
        explicit[0] = 2.0;
        assert!(uniform.is_uniform() && !explicit.is_uniform());
        assert_eq!(uniform, explicit);

        let mut a: Weights = vec![2.0, 2.0].into();
        a.extend_from(&uniform);
        assert!(a.is_uniform(), "a run of the same value stays one value");
        assert_eq!(a, [2.0; 4]);
        a.extend_from(&vec![7.0].into());
        assert_eq!(a, [2.0, 2.0, 2.0, 2.0, 7.0]);
        let mut empty = Weights::new();
        empty.extend_from(&Weights::new());
        assert!(empty.is_empty());
    }

    #[test]
    fn a_vector_converts_like_pushing_its_values() {
        // The conversion keeps the vector (no copy) unless every value is the same bits.
        for values in [
            vec![],
            vec![5.0],
            vec![5.0; 4],
            vec![5.0, 5.0, 6.0],
            vec![0.0, -0.0],
            vec![1.0, 2.0, 1.0],
        ] {
            let pushed: Weights = values.iter().copied().collect();
            let converted: Weights = values.clone().into();
            assert_eq!(converted, pushed, "{values:?}");
            assert_eq!(converted.is_uniform(), pushed.is_uniform(), "{values:?}");
            assert_eq!(converted.len(), values.len());
        }
    }

    #[test]
    fn writing_a_weight_keeps_the_others() {
        let mut w: Weights = vec![4.0; 3].into();
        w.set(2, 4.0);
        assert!(w.is_uniform(), "writing the same value keeps one value");
        w[1] = 9.0;
        assert_eq!(w, [4.0, 9.0, 4.0]);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn reading_past_the_end_panics_like_a_slice() {
        let w: Weights = vec![1.0].into();
        let _ = w[1];
    }
}
