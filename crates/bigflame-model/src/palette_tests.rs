//! Palette tests: fixed values worked out by hand (FNV-1a of `main` is 0x1f59_62a2_ce98_03c8, also
//! computed with Python), determinism, and the hue each kind of frame gets.

use super::*;

fn rgb(c: u32) -> (u8, u8, u8) {
    let [r, g, b] = channels(c);
    (r, g, b)
}

#[test]
fn hot_is_pinned() {
    assert_eq!(fnv1a(b"main"), 0x1f59_62a2_ce98_03c8);
    // bytes 0xc8, 0x03, 0x98: r = 200 + 55·200/255 = 243, g = 50 + 180·3/255 = 52,
    // b = 55·152/255 = 32 (integer division).
    assert_eq!(
        rgb(Palette::Hot.color("main", FrameKind::User, None)),
        (243, 52, 32)
    );
    assert_eq!(Palette::default(), Palette::Hot);
}

#[test]
fn deterministic_and_name_dependent() {
    for p in Palette::ALL {
        for kind in [FrameKind::User, FrameKind::Kernel, FrameKind::Jit] {
            let a = p.color("do_work", kind, Some("libfoo.so"));
            assert_eq!(a, p.color("do_work", kind, Some("libfoo.so")), "{p:?}");
            assert!(a <= 0xff_ffff);
        }
        assert_eq!(Palette::from_name(p.name()), Some(p));
        assert_eq!(Palette::from_name(&p.name().to_uppercase()), Some(p));
    }
    assert_eq!(Palette::from_name("rainbow"), None);
    // Names differing in one letter still get different colours.
    let distinct: std::collections::HashSet<u32> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| Palette::Red.color(n, FrameKind::User, None))
        .collect();
    assert!(distinct.len() >= 4);
}

#[test]
fn single_hue_ranges() {
    for name in ["main", "malloc", "std::vec::Vec<T>::push", "", "ñ", "x"] {
        let c = |p: Palette| rgb(p.color(name, FrameKind::User, None));
        let (r, g, b) = c(Palette::Hot);
        assert!(r >= 200 && (50..=230).contains(&g) && b <= 55, "hot {name}");
        let (r, g, b) = c(Palette::Red);
        assert!(r >= 200 && g == b && (50..=130).contains(&g), "red {name}");
        let (r, g, b) = c(Palette::Green);
        assert!(
            g >= 200 && r == b && (50..=110).contains(&r),
            "green {name}"
        );
        let (r, g, b) = c(Palette::Blue);
        assert!(b >= 205 && r == g && (80..=140).contains(&r), "blue {name}");
        let (r, g, b) = c(Palette::Aqua);
        assert!(
            g == b && (165..=220).contains(&g) && (50..=110).contains(&r),
            "aqua {name}"
        );
        let (r, g, b) = c(Palette::Yellow);
        assert!(
            r == g && (175..=230).contains(&r) && (50..=70).contains(&b),
            "yellow {name}"
        );
        let (r, g, b) = c(Palette::Purple);
        assert!(
            r == b && r >= 190 && (80..=140).contains(&g),
            "purple {name}"
        );
        let (r, g, b) = c(Palette::Orange);
        assert!(
            r >= 190 && (90..=155).contains(&g) && b == 0,
            "orange {name}"
        );
        let (r, g, b) = c(Palette::Mem);
        assert!(r == 0 && g >= 190 && b <= 210, "mem {name}");
        let (r, g, b) = c(Palette::Io);
        assert!(r == g && (80..=140).contains(&r) && b >= 190, "io {name}");
    }
}

/// The hue family of a colour produced by a language palette.
fn family(c: u32) -> &'static str {
    let (r, g, b) = rgb(c);
    if b == 0 {
        "orange"
    } else if r == b && g >= 200 {
        "green"
    } else if g == b && g >= 165 && r <= 110 {
        "aqua"
    } else if r == g {
        "yellow"
    } else if g == b && r >= 200 {
        "red"
    } else {
        "other"
    }
}

#[test]
fn java_by_kind() {
    let j = |name: &str, kind| family(Palette::Java.color(name, kind, None));
    assert_eq!(j("do_syscall_64", FrameKind::Kernel), "orange");
    assert_eq!(j("do_syscall_64_[k]", FrameKind::User), "orange");
    assert_eq!(j("Interpreter", FrameKind::Jit), "green");
    assert_eq!(j("LFoo;::bar_[j]", FrameKind::User), "green");
    assert_eq!(j("java/lang/Thread.run", FrameKind::User), "green");
    assert_eq!(j("org.example.App.main", FrameKind::User), "green");
    assert_eq!(j("String::hashCode_[i]", FrameKind::User), "aqua");
    assert_eq!(j("inlined", FrameKind::Inlined), "aqua");
    assert_eq!(j("JavaThread::run", FrameKind::User), "yellow");
    assert_eq!(j("__libc_start_main", FrameKind::User), "red");
    // Kind wins over the name; hash still varies lightness inside the hue.
    assert_ne!(
        Palette::Java.color("a", FrameKind::Kernel, None),
        Palette::Java.color("b", FrameKind::Kernel, None)
    );
}

#[test]
fn js_and_perl_by_kind() {
    let js = |name: &str, kind, module| family(Palette::Js.color(name, kind, module));
    assert_eq!(
        js("handler /app/server.js:10", FrameKind::Jit, None),
        "green"
    );
    assert_eq!(js("render", FrameKind::User, Some("/app/main.js")), "green");
    assert_eq!(js("ArrayPrototypePush", FrameKind::Jit, None), "aqua");
    assert_eq!(js("Builtin: CallFunction", FrameKind::User, None), "aqua");
    assert_eq!(
        js("v8::internal::Heap::Scavenge", FrameKind::User, None),
        "yellow"
    );
    assert_eq!(js("page_fault", FrameKind::Kernel, None), "orange");
    assert_eq!(js("epoll_wait", FrameKind::User, None), "red");
    let pl = |name: &str, kind| family(Palette::Perl.color(name, kind, None));
    assert_eq!(pl("Perl_pp_entersub", FrameKind::User), "green");
    assert_eq!(pl("main::run /x/script.pl", FrameKind::User), "green");
    assert_eq!(pl("List::Util::sum", FrameKind::User), "yellow");
    assert_eq!(pl("schedule", FrameKind::Kernel), "orange");
    assert_eq!(pl("memcpy", FrameKind::User), "red");
}

#[test]
fn modules_share_a_hue() {
    let a = channels(by_module("libc.so.6", "malloc"));
    let b = channels(by_module("libc.so.6", "free"));
    // Same base colour shifted by at most ±20 per channel, the same shift on every channel.
    let d: Vec<i16> = (0..3).map(|i| i16::from(a[i]) - i16::from(b[i])).collect();
    assert!(d.iter().all(|x| x.abs() <= 40));
    assert_eq!(by_module("m", "f"), by_module("m", "f"));
}
