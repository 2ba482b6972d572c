//! `bigflame diff BEFORE AFTER` in the window: AFTER's Left Heavy (all threads merged) coloured
//! by the change of each call path (`scene/diff.rs`: red grew, blue shrank), with a panel of the
//! biggest changes; `c` toggles absolute / normalised (shares of each profile's total).
//!
//! Why precomputed: the diff, both colourings and both tables are built once by `cmd/diff.rs`
//! before the window opens (the same work the PNG output does), so toggling is a lookup and the
//! UI thread never walks a tree. The rest of the viewer works on AFTER as usual: Time Order and
//! Sandwich of each thread, search, export. A transform replaces the profile and drops the diff
//! colouring (it no longer matches the tree); undoing every transform does not bring it back.

use crate::app::draw::{CHROME_BG, CHROME_TEXT, Frame, Text};
use crate::app::viewer::Viewer;
use crate::scene::FlameView;
use crate::scene::diff::DiffView;
use bigflame_model::diff::{Measure, ProfileDiff};
use bigflame_model::{EventId, Profile, ThreadId, WeightUnit};
use serde_json::{Value, json};
use std::sync::Arc;

/// Rows in the panel of biggest changes.
pub const DIFF_ROWS: usize = 15;

/// One row of the biggest changes.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    /// Function name.
    pub name: String,
    /// Share of the BEFORE total, %.
    pub before_pct: f64,
    /// Share of the AFTER total, %.
    pub after_pct: f64,
    /// The change, formatted (`+1.2 ms`, `-3.40 pp`).
    pub change: String,
    /// The change's sign: grew.
    pub grew: bool,
}

/// What the diff window shows besides AFTER itself.
pub struct DiffData {
    /// AFTER, Left Heavy over all threads.
    pub view: Arc<FlameView>,
    /// Node colours of `view`: `[absolute, normalised]`.
    pub colors: [Vec<u32>; 2],
    /// Biggest changes: `[absolute, normalised]`.
    pub rows: [Vec<DiffRow>; 2],
    /// Self or total weight.
    pub measure: Measure,
}

impl DiffData {
    /// Colours and tables of `diff` over `after` (its `threads`, event `event`, unit `unit`).
    pub fn new(
        after: &Profile,
        event: EventId,
        threads: &[ThreadId],
        diff: &ProfileDiff,
        measure: Measure,
        unit: WeightUnit,
    ) -> Self {
        let abs = DiffView::new(after, event, threads, diff, measure, false);
        let norm = DiffView::new(after, event, threads, diff, measure, true);
        let totals = diff.totals();
        let pct = |w: f64, t: f64| if t > 0.0 { 100.0 * w / t } else { 0.0 };
        let rows = [false, true].map(|normalize| {
            diff.biggest_changes(DIFF_ROWS, measure, normalize)
                .into_iter()
                .map(|(f, change)| {
                    let w = match measure {
                        Measure::SelfWeight => f.self_weight,
                        Measure::Total => f.total_weight,
                    };
                    let sign = if change < 0.0 { "-" } else { "+" };
                    DiffRow {
                        name: f.name.clone(),
                        before_pct: pct(w[0], totals[0]),
                        after_pct: pct(w[1], totals[1]),
                        change: if normalize {
                            format!("{:+.2} pp", 100.0 * change)
                        } else {
                            format!("{sign}{}", unit.format(change.abs()))
                        },
                        grew: change > 0.0,
                    }
                })
                .collect()
        });
        Self {
            view: Arc::new(abs.view),
            colors: [abs.node_colors, norm.node_colors],
            rows,
            measure,
        }
    }
}

impl Viewer {
    /// Shows AFTER (`profile`) in Left Heavy coloured by `diff`, `normalize` chosen.
    pub fn set_diff(&mut self, profile: Profile, diff: DiffData, normalize: bool) {
        self.set_profile(profile);
        if let Some(d) = &mut self.data {
            d.diff = Some(Arc::new(diff));
            d.diff_normalize = normalize;
        }
        self.state.kind = crate::app::state::ViewKind::LeftHeavy;
        self.show_current(None);
        self.settle_if_inline();
    }

    /// The diff colouring and the row table shown, when the diff is on screen.
    pub fn diff_shown(&self) -> Option<(&DiffData, bool)> {
        let d = self.data.as_ref()?;
        let diff = d.diff.as_deref()?;
        (self.state.kind == crate::app::state::ViewKind::LeftHeavy && !self.lanes_on())
            .then_some((diff, d.diff_normalize))
    }

    /// `c` in the diff: absolute ↔ normalised.
    pub(crate) fn toggle_diff_normalize(&mut self) -> bool {
        match self.data.as_mut() {
            Some(d) if d.diff.is_some() => {
                d.diff_normalize = !d.diff_normalize;
                self.generation += 1;
                true
            }
            _ => false,
        }
    }

    /// The diff state for `--script` / tests (`null` without a diff).
    pub(crate) fn diff_json(&self) -> Value {
        let Some(d) = self.data.as_ref() else {
            return Value::Null;
        };
        let Some(diff) = &d.diff else {
            return Value::Null;
        };
        let rows = &diff.rows[usize::from(d.diff_normalize)];
        json!({
            "normalize": d.diff_normalize,
            "shown": self.diff_shown().is_some(),
            "rows": rows.iter().map(|r| json!({
                "name": r.name,
                "before_pct": r.before_pct,
                "after_pct": r.after_pct,
                "change": r.change,
            })).collect::<Vec<_>>(),
        })
    }
}

impl Frame {
    /// The panel of biggest changes, at the bottom right of the canvas, while the diff is shown.
    pub(super) fn diff_table(&mut self, viewer: &Viewer) {
        let Some((diff, normalize)) = viewer.diff_shown() else {
            return;
        };
        let st = &viewer.state;
        let s = st.scale as f32;
        let (w, h) = (st.viewport.0 as f32, st.viewport.1 as f32);
        let rows = &diff.rows[usize::from(normalize)];
        let line_h = 18.0 * s;
        let box_w = (520.0 * s).min(w - 16.0 * s).max(1.0);
        let box_h = (rows.len() as f32 + 1.5) * line_h + 12.0 * s;
        let x = (w - box_w - 8.0 * s).max(0.0);
        let y = (h - st.status_px() as f32 - box_h - 8.0 * s).max(0.0);
        self.rect(x, y, box_w, box_h, CHROME_BG);
        let what = match diff.measure {
            Measure::SelfWeight => "self",
            Measure::Total => "total",
        };
        let by = if normalize { "share" } else { "weight" };
        let header = format!("before%  after%  change ({what}, by {by}; c toggles)");
        let mut line = |i: usize, text: String, color: u32| {
            self.texts.push(Text {
                x: x + 10.0 * s,
                y: y + 6.0 * s + i as f32 * line_h,
                max_w: box_w - 20.0 * s,
                text,
                color,
            });
        };
        line(0, header, CHROME_TEXT);
        for (i, r) in rows.iter().enumerate() {
            let color = if r.grew {
                bigflame_render::colors::rgb(255, 140, 140)
            } else {
                bigflame_render::colors::rgb(150, 170, 255)
            };
            let text = format!(
                "{:>6.2}% {:>6.2}% {:>12}  {}",
                r.before_pct, r.after_pct, r.change, r.name
            );
            line(i + 1, text, color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::Action;
    use crate::app::state::ViewState;
    use bigflame_model::diff::Side;

    fn folded(text: &str) -> Profile {
        let opts = bigflame_formats::ImportOptions::default();
        bigflame_formats::import_bytes(text.as_bytes(), "t.folded", &opts).expect("parses")
    }

    #[test]
    fn the_diff_window_colours_after_and_lists_the_biggest_changes() {
        // BEFORE main;a 30, main;b 70; AFTER main;a 60, main;b 40 (totals 100 both).
        let before = folded("main;a 30\nmain;b 70\n");
        let after = folded("main;a 60\nmain;b 40\n");
        let e = EventId::from_index(0);
        let (tb, ta) = (
            bigflame_model::all_threads(&before),
            bigflame_model::all_threads(&after),
        );
        let side = |profile, threads| Side {
            profile,
            event: e,
            threads,
        };
        let diff = ProfileDiff::build(side(&before, &tb), side(&after, &ta));
        let data = DiffData::new(
            &after,
            e,
            &ta,
            &diff,
            Measure::SelfWeight,
            WeightUnit::Samples,
        );
        let mut v = Viewer::new(ViewState::new(800, 600, 1.0));
        v.set_diff(after, data, false);
        let j = v.to_json();
        assert_eq!(j["view"], "left-heavy");
        assert_eq!(j["extent"], json!([0.0, 100.0]));
        assert_eq!(j["diff"]["shown"], true);
        // a +30, b -30: ties by name.
        let rows = &j["diff"]["rows"];
        assert_eq!(rows[0]["name"], "a");
        assert_eq!(rows[0]["before_pct"], 30.0);
        assert_eq!(rows[0]["after_pct"], 60.0);
        assert_eq!(rows[1]["name"], "b");
        assert!(rows[1]["change"].as_str().unwrap_or("").starts_with('-'));
        // Colours: Left Heavy puts a (60) first: red; b blue; main unchanged (near-white).
        let (d, norm) = v.diff_shown().expect("shown");
        let colors = &d.colors[usize::from(norm)];
        let (r, b) = (colors.iter().copied().max(), colors.iter().copied().min());
        assert!(r.is_some() && b.is_some());
        assert!(colors.contains(&crate::scene::diff::diff_color(30.0, 30.0)));
        assert!(colors.contains(&crate::scene::diff::diff_color(-30.0, 30.0)));
        // `c` toggles normalised shares: +30.00 pp.
        v.apply(&Action::CycleColors);
        let j = v.to_json();
        assert_eq!(j["diff"]["normalize"], true);
        assert_eq!(j["diff"]["rows"][0]["change"], "+30.00 pp");
        // Time Order of AFTER works as usual; the diff panel is for Left Heavy.
        v.apply(&Action::SetView(crate::app::state::ViewKind::TimeOrder));
        assert_eq!(v.to_json()["diff"]["shown"], false);
    }
}
