use bigflame_layout::synthetic::random_walk_profile;
use bigflame_layout::{XAxis, time_order_threads};
use bigflame_model::{EventId, ThreadId};
#[test]
fn dbg() {
    let p = random_walk_profile(200_000, 500, 64, 7);
    let idx = time_order_threads(&p, EventId(0), &[ThreadId(0)], XAxis::Time { origin_ns: 0 }).pop().unwrap_or_default();
    for d in 0..4 {
        let sp = idx.spans(d);
        let nodes: std::collections::BTreeSet<u32> = sp.iter().map(|s| s.node).collect();
        eprintln!("depth {d}: {} spans, {} distinct nodes, widest {:?}", sp.len(), nodes.len(), sp.iter().map(|s| s.x1 - s.x0).fold(0.0, f64::max));
    }
    let r = idx.x_range();
    let mut out = Vec::new();
    idx.query(r.clone(), 0..99, (r.end - r.start) / 1920.0, 2.0, &mut out);
    for d in 0..5 { eprintln!("out depth {d}: {:?}", out.iter().filter(|s| s.depth == d).take(3).collect::<Vec<_>>()); }
}
