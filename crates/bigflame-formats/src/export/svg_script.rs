//! The style sheet and script embedded in exported SVG flame graphs.
//!
//! Why embedded: the file must work alone (attached to a bug, opened from disk, served as a
//! static file), so everything it needs is inside it. The script is plain ES5 so any browser that
//! renders SVG runs it; it reads the geometry from the `<rect>`s themselves (no extra attributes
//! per frame, which keeps huge exports small) and the settings from `bfConfig`, written by
//! [`super::svg`] just before it.
//!
//! Behaviour: hover → the frame's title in the status line; click → zoom (the frame fills the
//! width, its callees scale with it, its callers stay as dimmed full-width bars, everything else
//! hides); Reset Zoom or Escape → back; Ctrl+F or Search → highlight frames whose name matches a
//! regular expression and show the share of the total they cover, nested matches counted once;
//! Reset Search or Escape → clear. Labels are refitted with the same rule as the writer's.

/// CSS for the SVG.
pub const STYLE: &str = "text{font-family:Verdana,'DejaVu Sans',sans-serif;font-size:12px;fill:#000}\
#title{font-size:17px}\
#frames g{cursor:pointer}\
#frames g:hover rect{stroke:#000;stroke-width:0.5}\
#frames text{pointer-events:none}\
.btn{cursor:pointer;fill:#333;text-decoration:underline}\
.btn:hover{fill:#000}\
.hide{display:none}\
.caller{opacity:0.5}";

/// The script (without its `bfConfig` line); it must never contain `]]>`.
pub const SCRIPT: &str = r#"(function () {
"use strict";
var C = bfConfig, frames = [], details, matched, searchBtn, resetBtn, term = null;
var EPS = 0.02;

function nameOf(g) {
  var t = g.getElementsByTagName("title")[0].textContent;
  var i = t.lastIndexOf(" (");
  return i < 0 ? t : t.slice(0, i);
}

function label(name, w) {
  var n = Math.floor((w - 6) / (C.font * C.charWidth));
  if (!(n >= 3)) return "";
  var chars = Array.from ? Array.from(name) : name.split("");
  return chars.length <= n ? name : chars.slice(0, n - 2).join("") + "..";
}

function place(g, x, w) {
  g.rect.setAttribute("x", x.toFixed(2));
  g.rect.setAttribute("width", w.toFixed(2));
  g.text.setAttribute("x", (x + 3).toFixed(2));
  g.text.textContent = label(g.name, w);
}

function frameOf(el) {
  while (el && el.parentNode) {
    if (el.parentNode.id === "frames") return el;
    el = el.parentNode;
  }
  return null;
}

function below(a, b) {
  // true when frame a is deeper in the call tree than frame b
  return C.inverted ? a.y > b.y : a.y < b.y;
}

function zoom(t) {
  var area = C.width - 2 * C.xpad, s = area / t.w0, end = t.x0 + t.w0;
  for (var i = 0; i < frames.length; i++) {
    var g = frames[i];
    var inside = g.x0 >= t.x0 - EPS && g.x0 + g.w0 <= end + EPS;
    var covers = g.x0 <= t.x0 + EPS && g.x0 + g.w0 >= end - EPS;
    if (g === t || (inside && below(g, t))) {
      g.classList.remove("hide", "caller");
      place(g, C.xpad + (g.x0 - t.x0) * s, g.w0 * s);
    } else if (covers && below(t, g)) {
      g.classList.remove("hide");
      g.classList.add("caller");
      place(g, C.xpad, area);
    } else {
      g.classList.add("hide");
    }
  }
  resetBtn.classList.remove("hide");
}

function unzoom() {
  for (var i = 0; i < frames.length; i++) {
    var g = frames[i];
    g.classList.remove("hide", "caller");
    place(g, g.x0, g.w0);
  }
  resetBtn.classList.add("hide");
}

function search(text) {
  var re;
  try {
    re = new RegExp(text);
  } catch (err) {
    alert("Not a regular expression: " + err.message);
    return;
  }
  term = text;
  var spans = [];
  for (var i = 0; i < frames.length; i++) {
    var g = frames[i];
    if (!g.isRoot && re.test(g.name)) {
      g.rect.setAttribute("fill", C.match);
      spans.push([g.x0, g.x0 + g.w0]);
    } else {
      g.rect.setAttribute("fill", g.fill);
    }
  }
  spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
  var covered = 0, reach = -Infinity;
  for (var k = 0; k < spans.length; k++) {
    var a = Math.max(spans[k][0], reach), b = spans[k][1];
    if (b > a) { covered += b - a; reach = b; }
  }
  var pct = 100 * covered / (C.width - 2 * C.xpad);
  matched.textContent = "Matched: " + pct.toFixed(2) + "% (" + spans.length + " frames)";
  searchBtn.textContent = "Reset Search";
}

function clearSearch() {
  term = null;
  for (var i = 0; i < frames.length; i++) frames[i].rect.setAttribute("fill", frames[i].fill);
  matched.textContent = " ";
  searchBtn.textContent = "Search";
}

function askSearch() {
  var text = prompt("Search frames (regular expression):", term === null ? "" : term);
  if (text !== null && text !== "") search(text);
}

function init() {
  details = document.getElementById("details");
  matched = document.getElementById("matched");
  searchBtn = document.getElementById("search");
  resetBtn = document.getElementById("unzoom");
  var box = document.getElementById("frames");
  var gs = box.getElementsByTagName("g");
  for (var i = 0; i < gs.length; i++) {
    var g = gs[i], r = g.getElementsByTagName("rect")[0];
    g.rect = r;
    g.text = g.getElementsByTagName("text")[0];
    g.x0 = parseFloat(r.getAttribute("x"));
    g.w0 = parseFloat(r.getAttribute("width"));
    g.y = parseFloat(r.getAttribute("y"));
    g.fill = r.getAttribute("fill");
    g.name = nameOf(g);
    g.isRoot = g.getAttribute("class") === "root";
    frames.push(g);
  }
  box.addEventListener("click", function (e) {
    var g = frameOf(e.target);
    if (g) zoom(g);
  });
  box.addEventListener("mouseover", function (e) {
    var g = frameOf(e.target);
    if (g) details.textContent = "Function: " + g.getElementsByTagName("title")[0].textContent;
  });
  box.addEventListener("mouseout", function () { details.textContent = " "; });
  resetBtn.addEventListener("click", unzoom);
  searchBtn.addEventListener("click", function () {
    if (term === null) askSearch(); else clearSearch();
  });
  window.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F")) {
      e.preventDefault();
      askSearch();
    } else if (e.key === "Escape") {
      if (term !== null) clearSearch(); else unzoom();
    }
  });
}

window.addEventListener("load", init);
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_cdata_safe() {
        assert!(!SCRIPT.contains("]]>"));
        assert!(!STYLE.contains('<') && !STYLE.contains('&'));
    }
}
