//! (crate) [`LazyVec`]: a vector that costs one word until first used.
//!
//! For per-actor lists that most actors never fill (linked children, replies
//! deferred by a failing handler): an idle actor should not pay three words
//! for each.

/// A `Vec` behind an optional box: one word when empty and never used.
// The box is the point: it trades an allocation on first use for two words
// saved in every actor that never uses the list.
#[allow(clippy::box_collection)]
pub(crate) struct LazyVec<T>(Option<Box<Vec<T>>>);

impl<T> LazyVec<T> {
    pub(crate) const fn new() -> Self {
        LazyVec(None)
    }

    pub(crate) fn push(&mut self, value: T) {
        self.0.get_or_insert_with(Box::default).push(value);
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        self.0.as_mut()?.pop()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |v| v.len())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn append(&mut self, other: &mut Vec<T>) {
        if !other.is_empty() {
            self.0.get_or_insert_with(Box::default).append(other);
        }
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        if let Some(v) = self.0.as_mut() {
            v.retain(keep);
        }
    }

    /// Removes and returns the first element that `matches`, keeping the
    /// order of the rest.
    pub(crate) fn remove_first(&mut self, matches: impl FnMut(&T) -> bool) -> Option<T> {
        let v = self.0.as_mut()?;
        let at = v.iter().position(matches)?;
        Some(v.remove(at))
    }

    /// Takes every element out, leaving the vector empty.
    pub(crate) fn take(&mut self) -> Vec<T> {
        self.0.take().map(|v| *v).unwrap_or_default()
    }
}

impl<T> Default for LazyVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::LazyVec;

    #[test]
    fn behaves_like_a_vec_and_stays_one_word() {
        assert_eq!(
            std::mem::size_of::<LazyVec<u64>>(),
            std::mem::size_of::<usize>()
        );
        let mut v = LazyVec::new();
        assert!(v.is_empty());
        assert_eq!(v.pop(), None);
        v.push(1);
        v.append(&mut vec![2, 3]);
        v.retain(|x| *x != 2);
        assert_eq!(v.len(), 2);
        v.push(4);
        assert_eq!(v.remove_first(|x| *x > 2), Some(3));
        assert_eq!(v.remove_first(|x| *x > 9), None);
        assert_eq!(v.pop(), Some(4));
        assert_eq!(v.take(), vec![1]);
        assert!(v.is_empty());
    }
}
