//! Geometry of stacked thread lanes: several Time Order flame charts on one timeline, each
//! lane a header row (the thread's label) above its own rows, scrolled vertically as one.
//!
//! Why its own layout and not N viewports: one x camera (time) is shared by every lane — the
//! views all measure nanoseconds from the profile's earliest sample, so the same x is the same
//! instant in every lane — and one vertical scroll moves through them, which is what makes
//! "what ran at the same time on other threads" readable (speedscope shows one thread at a
//! time). This module is the pure part: lane tops and heights in content px (before scrolling)
//! and the inverse (which lane and row a content y is in), shared by drawing and picking.

/// Where each lane is, in content px (0 = the top of the first lane, before scrolling).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LaneLayout {
    /// Height of a lane's header row (its label), px.
    pub header_px: f64,
    /// Height of one flame row, px.
    pub row_px: f64,
    /// Gap below each lane, px.
    pub gap_px: f64,
    /// Rows of each lane (0 while a lane is not built yet: only its header shows).
    depths: Vec<u32>,
    /// Top of each lane.
    tops: Vec<f64>,
}

impl LaneLayout {
    /// Lanes of `depths` rows each, in order.
    pub fn new(depths: &[u32], header_px: f64, row_px: f64, gap_px: f64) -> Self {
        let mut tops = Vec::with_capacity(depths.len());
        let mut y = 0.0;
        for &d in depths {
            tops.push(y);
            y += header_px + f64::from(d) * row_px + gap_px;
        }
        Self {
            header_px,
            row_px,
            gap_px,
            depths: depths.to_vec(),
            tops,
        }
    }

    /// Number of lanes.
    pub fn len(&self) -> usize {
        self.depths.len()
    }

    /// Whether there is no lane.
    pub fn is_empty(&self) -> bool {
        self.depths.is_empty()
    }

    /// Top of lane `i` (its header), content px.
    pub fn top(&self, i: usize) -> Option<f64> {
        self.tops.get(i).copied()
    }

    /// Where lane `i`'s row 0 starts, content px.
    pub fn rows_top(&self, i: usize) -> Option<f64> {
        self.top(i).map(|t| t + self.header_px)
    }

    /// Height of lane `i` without the gap, px.
    pub fn height(&self, i: usize) -> f64 {
        self.depths
            .get(i)
            .map_or(0.0, |&d| self.header_px + f64::from(d) * self.row_px)
    }

    /// Height of everything, px.
    pub fn total_px(&self) -> f64 {
        match (self.tops.last(), self.depths.len()) {
            (Some(&t), n) if n > 0 => t + self.height(n - 1) + self.gap_px,
            _ => 0.0,
        }
    }

    /// The lane and row at content y: `(lane, None)` on a header, `(lane, Some(row))` on a row;
    /// `None` in a gap or past the end.
    pub fn at(&self, y: f64) -> Option<(usize, Option<u32>)> {
        if y.is_nan() || y < 0.0 {
            return None;
        }
        // The last lane whose top is at or above y.
        let i = self.tops.partition_point(|&t| t <= y).checked_sub(1)?;
        let rel = y - self.tops[i];
        if rel < self.header_px {
            return Some((i, None));
        }
        let row = ((rel - self.header_px) / self.row_px).floor();
        (row < f64::from(self.depths[i])).then_some((i, Some(row as u32)))
    }

    /// Lanes that intersect content rows `y0..y1`, in order.
    pub fn visible(&self, y0: f64, y1: f64) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(move |&i| {
            let t = self.tops[i];
            t < y1 && t + self.height(i) > y0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lanes of 3, 0 (not built) and 2 rows; 20 px headers, 18 px rows, 4 px gaps.
    fn layout() -> LaneLayout {
        LaneLayout::new(&[3, 0, 2], 20.0, 18.0, 4.0)
    }

    #[test]
    fn lanes_stack_header_rows_and_gap() {
        let l = layout();
        // 20 + 3*18 + 4 = 78; 78 + 20 + 4 = 102; 102 + 20 + 36 + 4 = 162.
        assert_eq!(l.top(0), Some(0.0));
        assert_eq!(l.top(1), Some(78.0));
        assert_eq!(l.top(2), Some(102.0));
        assert_eq!(l.rows_top(2), Some(122.0));
        assert_eq!(l.total_px(), 162.0);
        assert_eq!(LaneLayout::default().total_px(), 0.0);
    }

    #[test]
    fn content_y_maps_to_lane_and_row() {
        let l = layout();
        assert_eq!(l.at(0.0), Some((0, None)));
        assert_eq!(l.at(19.9), Some((0, None)));
        assert_eq!(l.at(20.0), Some((0, Some(0))));
        assert_eq!(l.at(73.9), Some((0, Some(2))));
        assert_eq!(l.at(75.0), None, "the gap after lane 0");
        assert_eq!(l.at(80.0), Some((1, None)));
        assert_eq!(l.at(122.0 + 18.0), Some((2, Some(1))));
        assert_eq!(l.at(122.0 + 36.0), None, "past the last row");
        assert_eq!(l.at(-1.0), None);
        assert_eq!(l.at(1e9), None);
    }

    #[test]
    fn only_lanes_on_screen_are_visible() {
        let l = layout();
        assert_eq!(l.visible(0.0, 50.0).collect::<Vec<_>>(), vec![0]);
        assert_eq!(l.visible(76.0, 110.0).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(l.visible(0.0, 1000.0).count(), 3);
    }
}
