//! Naming rules: how a raw perf symbol becomes the frame name people see.
//!
//! Why these exact rules: folded stacks made by FlameGraph's `stackcollapse-perf.pl` and by
//! `inferno-collapse-perf` are the lingua franca of flame graph tools, and users diff them. The rules
//! below were derived from the peers' expected outputs (FlameGraph `test/results`, inferno
//! `tests/data/collapse-perf/results`):
//!
//! * `[unknown]` becomes `[module-basename]` when the module is known, else `[unknown]`; with
//!   `--addrs` the address is kept: `[unknown <7f2eb2b31c2c>]`.
//! * `;` becomes `:` (a `;` would split the folded line).
//! * Argument lists are removed: `foo(int) const` → `foo`. FlameGraph cuts at the first `(` unless
//!   the name looks like a Go method (`pkg.(*T).M`); inferno also keeps parentheses inside C++
//!   template arguments (`std::function<int (int, int)>::operator`) and `(anonymous namespace)`.
//! * FlameGraph deletes `'` and `"`; inferno keeps them and demangles legacy Rust symbols that perf
//!   left escaped (`_$LT$Vec$LT$T$GT$$GT$::push::h0123456789abcdef` → `<Vec<T>>::push`).
//! * Java: when the process is `java`, the JVM's `L` class prefix goes (`Ljava/lang/Thread:::run` →
//!   `java/lang/Thread:::run`) if the name contains a `/`.
//! * Annotations: frames inlined through a perf-map `A->B` chain get `_[i]` (all but the first);
//!   otherwise kernel frames get `_[k]` with `--kernel` and JIT frames `_[j]` with `--jit`.

use super::frame_line::FrameLine;
use super::{Flavour, PerfOptions};
use bigflame_model::FrameKind;

/// Whether a module is kernel code under the flavour's rules.
pub fn is_kernel_module(module: &[u8], flavour: Flavour) -> bool {
    if memchr::memmem::find(module, b"unknown").is_some() {
        return false;
    }
    if module.first() == Some(&b'[') || module.ends_with(b"vmlinux") {
        return true;
    }
    match flavour {
        Flavour::FlameGraph => false,
        Flavour::Inferno => basename(module).starts_with(b"vmlinux") || module.ends_with(b".ko"),
    }
}

/// Whether a module is a JIT map (`/tmp/perf-PID.map`, and for inferno `jitted-*.so` from jitdump).
pub fn is_jit_module(module: &[u8], flavour: Flavour) -> bool {
    let perf_map = memchr::memmem::find_iter(module, b"/tmp/perf-").any(|at| {
        let rest = &module[at + b"/tmp/perf-".len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && rest[digits..].starts_with(b".map")
    });
    perf_map
        || (flavour == Flavour::Inferno && {
            let base = basename(module);
            base.starts_with(b"jitted-") && base.ends_with(b".so")
        })
}

fn basename(path: &[u8]) -> &[u8] {
    match memchr::memrchr(b'/', path) {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

/// Appends the named frames of one call-chain line to `out`, caller first (an `A->B->C` chain gives
/// `A`, `B_[i]`, `C_[i]`). `java` says whether the sample's process is `java`.
pub fn frame_names(
    line: &FrameLine<'_>,
    java: bool,
    opts: &PerfOptions,
    out: &mut Vec<(String, FrameKind)>,
) {
    let kernel = is_kernel_module(line.module, opts.flavour);
    let jit = is_jit_module(line.module, opts.flavour);
    for (index, part) in split_arrows(line.symbol).into_iter().enumerate() {
        let unknown = part == b"[unknown]";
        let mut name = if unknown {
            let base = if line.module.is_empty() || line.module == b"[unknown]" {
                "unknown".into()
            } else {
                String::from_utf8_lossy(basename(line.module))
            };
            if opts.include_addrs {
                format!("[{base} <{}>]", String::from_utf8_lossy(line.pc))
            } else {
                format!("[{base}]")
            }
        } else {
            String::from_utf8_lossy(part).into_owned()
        };
        if opts.flavour == Flavour::Inferno
            && let Some(demangled) = demangle_rust_legacy(&name)
        {
            name = demangled;
        }
        tidy(&mut name, opts.flavour);
        if java && name.starts_with('L') && name.contains('/') {
            name.remove(0);
        }
        let kind = if index > 0 {
            name.push_str("_[i]");
            FrameKind::Inlined
        } else {
            if kernel && opts.annotate_kernel {
                name.push_str("_[k]");
            } else if jit && opts.annotate_jit {
                name.push_str("_[j]");
            }
            if line.module == b"inlined" {
                FrameKind::Inlined
            } else if kernel {
                FrameKind::Kernel
            } else if jit {
                FrameKind::Jit
            } else if unknown {
                FrameKind::Unknown
            } else {
                FrameKind::User
            }
        };
        out.push((name, kind));
    }
}

/// Splits a symbol at `->` like perl's `split /->/`: trailing empty parts are dropped, so an empty
/// symbol yields no frame at all.
fn split_arrows(symbol: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(1);
    let mut rest = symbol;
    while let Some(at) = memchr::memmem::find(rest, b"->") {
        parts.push(&rest[..at]);
        rest = &rest[at + 2..];
    }
    parts.push(rest);
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// The generic clean-up of a function name, per flavour.
pub fn tidy(name: &mut String, flavour: Flavour) {
    if name.contains(';') {
        *name = name.replace(';', ":");
    }
    if !is_go_method(name) {
        let cut = match flavour {
            Flavour::FlameGraph => name.find('('),
            Flavour::Inferno => first_argument_paren(name),
        };
        if let Some(cut) = cut {
            name.truncate(cut);
        }
    }
    if flavour == Flavour::FlameGraph && (name.contains('\'') || name.contains('"')) {
        name.retain(|c| c != '\'' && c != '"');
    }
}

/// Go method names such as `net/http.(*Client).Do` keep their parentheses (perl `/\.\(.*\)\./`).
fn is_go_method(name: &str) -> bool {
    match name.find(".(") {
        Some(at) => name[at + 2..].contains(")."),
        None => false,
    }
}

/// The first `(` that opens an argument list: outside template brackets, not `(anonymous namespace)`,
/// and not part of an `operator<`-style name.
fn first_argument_paren(name: &str) -> Option<usize> {
    let bytes = name.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"operator") {
            i += b"operator".len();
            // Skip the operator's own symbol characters (`<<`, `->`, `<=>`, ...), but not `()`.
            while i < bytes.len() && matches!(bytes[i], b'<' | b'>' | b'=' | b'-') {
                i += 1;
            }
            continue;
        }
        match bytes[i] {
            b'<' => depth += 1,
            b'>' => depth = depth.saturating_sub(1),
            b'(' if depth == 0 => {
                if bytes[i..].starts_with(b"(anonymous namespace)") {
                    i += b"(anonymous namespace)".len();
                    continue;
                }
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Finishes demangling a legacy Rust symbol that perf printed half-demangled: `a::b::h<16 hex>` with
/// the legacy escapes still in place. The hash goes; `..` becomes `::`; `$LT$`, `$GT$`, `$RF$`,
/// `$BP$`, `$SP$`, `$LP$`, `$RP$`, `$C$` and `$uXX$` become the characters they stand for; a `_` is
/// dropped only before a `$` at the very start of the symbol (inferno keeps `_{{closure}}` inside).
/// `None` when the name has no legacy hash or an escape is not valid (the name is then kept as is).
pub fn demangle_rust_legacy(name: &str) -> Option<String> {
    let (path, hash) = name.rsplit_once("::")?;
    let is_hash = hash.len() == 17
        && hash.starts_with('h')
        && hash[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hash || path.is_empty() {
        return None;
    }
    let mut rest = path.strip_prefix("_$").map_or(path, |_| &path[1..]);
    let mut out = String::with_capacity(path.len());
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
        } else if c == '$' {
            let end = rest[1..].find('$')? + 1;
            let escape = &rest[1..end];
            let ch = match escape {
                "SP" => '@',
                "BP" => '*',
                "RF" => '&',
                "LT" => '<',
                "GT" => '>',
                "LP" => '(',
                "RP" => ')',
                "C" => ',',
                _ => {
                    let hex = escape.strip_prefix('u')?;
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
            };
            out.push(ch);
            rest = &rest[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &[u8], java: bool, opts: &PerfOptions) -> Vec<String> {
        let super::super::frame_line::Line::Frame(f) =
            super::super::frame_line::parse_frame_line(line)
        else {
            panic!("not a frame");
        };
        let mut out = Vec::new();
        frame_names(&f, java, opts, &mut out);
        out.into_iter().map(|(n, _)| n).collect()
    }

    fn fg() -> PerfOptions {
        PerfOptions {
            flavour: Flavour::FlameGraph,
            ..PerfOptions::default()
        }
    }

    #[test]
    fn unknown_frames_take_the_module_name() {
        let o = PerfOptions::default();
        assert_eq!(
            names(b"\t0 [unknown] ([unknown])", false, &o),
            ["[unknown]"]
        );
        assert_eq!(names(b"\t31ef [unknown] (/bin/dd)", false, &o), ["[dd]"]);
        assert_eq!(
            names(b"\tffff [unknown] ([kernel.kallsyms])", false, &o),
            ["[[kernel.kallsyms]]"]
        );
        let addrs = PerfOptions {
            include_addrs: true,
            ..PerfOptions::default()
        };
        assert_eq!(
            names(b"\t31ef [unknown] (/bin/dd)", false, &addrs),
            ["[dd <31ef>]"]
        );
        assert_eq!(
            names(b"\t246 [unknown] ([unknown])", false, &addrs),
            ["[unknown <246>]"]
        );
    }

    #[test]
    fn arguments_and_quotes_per_flavour() {
        let line = b"\t1 std::function<int (int, int)>::operator() (/x)";
        assert_eq!(
            names(line, false, &PerfOptions::default()),
            ["std::function<int (int, int)>::operator"]
        );
        assert_eq!(names(line, false, &fg()), ["std::function<int "]);
        let line = b"\t1 std::_Function_handler<int (int, int), main::{lambda(int, int)#1}>::_M_invoke (/x)";
        assert_eq!(
            names(line, false, &PerfOptions::default())[0],
            "std::_Function_handler<int (int, int), main::{lambda(int, int)#1}>::_M_invoke"
        );
        let line = b"\t1 RegExp:[&<>\"'] (/tmp/perf-7539.map)";
        assert_eq!(names(line, false, &fg()), ["RegExp:[&<>]"]);
        assert_eq!(
            names(line, false, &PerfOptions::default()),
            ["RegExp:[&<>\"']"]
        );
        let line = b"\t1 go/build.(*Context).Import+0x1275 (/usr/lib/go/bin/go)";
        assert_eq!(names(line, false, &fg()), ["go/build.(*Context).Import"]);
        assert_eq!(
            names(
                b"\t1 ns::(anonymous namespace)::f(int) (/x)",
                false,
                &PerfOptions::default()
            ),
            ["ns::(anonymous namespace)::f"]
        );
        assert_eq!(
            names(
                b"\t1 std::operator<< <char>(std::ostream&) (/x)",
                false,
                &PerfOptions::default()
            ),
            ["std::operator<< <char>"]
        );
    }

    #[test]
    fn java_prefix_only_for_java_processes() {
        let line = b"\t1 Ljava/lang/Thread;::run (/tmp/perf-43287.map)";
        assert_eq!(
            names(line, true, &PerfOptions::default()),
            ["java/lang/Thread:::run"]
        );
        assert_eq!(
            names(line, false, &PerfOptions::default()),
            ["Ljava/lang/Thread:::run"]
        );
        assert_eq!(
            names(
                b"\t1 LBusy;::main (/tmp/perf-1.map)",
                true,
                &PerfOptions::default()
            ),
            ["LBusy:::main"]
        );
    }

    #[test]
    fn annotations() {
        let all = PerfOptions {
            annotate_kernel: true,
            annotate_jit: true,
            ..PerfOptions::default()
        };
        assert_eq!(names(b"\t1 f ([kernel.kallsyms])", false, &all), ["f_[k]"]);
        assert_eq!(
            names(b"\t1 f (/lib/modules/5.4/x.ko)", false, &all),
            ["f_[k]"]
        );
        assert_eq!(
            names(
                b"\t1 f (/lib/modules/5.4/x.ko)",
                false,
                &PerfOptions {
                    flavour: Flavour::FlameGraph,
                    ..all.clone()
                }
            ),
            ["f"]
        );
        assert_eq!(names(b"\t1 f (/tmp/perf-12.map)", false, &all), ["f_[j]"]);
        assert_eq!(names(b"\t1 f (/tmp/jitted-1-2.so)", false, &all), ["f_[j]"]);
        assert_eq!(
            names(b"\t1 [unknown] ([unknown])", false, &all),
            ["[unknown]"]
        );
        assert_eq!(
            names(b"\t1 f ([kernel.kallsyms])", false, &PerfOptions::default()),
            ["f"]
        );
        assert_eq!(
            names(
                b"\t1 La/B;::x->La/C;::y->La/D;::z+0x4b (/tmp/perf-1.map)",
                true,
                &all
            ),
            ["a/B:::x_[j]", "a/C:::y_[i]", "a/D:::z_[i]"]
        );
        assert_eq!(names(b"\t1 __mmap64 (inlined)", false, &all), ["__mmap64"]);
    }

    #[test]
    fn rust_legacy_demangling() {
        assert_eq!(
            demangle_rust_legacy(
                "_$LT$collections..vec..Vec$LT$T$GT$$GT$::set_len::h32f778ca25724bf1"
            )
            .as_deref(),
            Some("<collections::vec::Vec<T>>::set_len")
        );
        assert_eq!(
            demangle_rust_legacy("std::rt::lang_start::h162055cb2e4b9fe7").as_deref(),
            Some("std::rt::lang_start")
        );
        assert_eq!(demangle_rust_legacy("main"), None);
        assert_eq!(demangle_rust_legacy("a::hxyz"), None);
        assert_eq!(demangle_rust_legacy("::h0123456789abcdef"), None);
        assert_eq!(
            demangle_rust_legacy(
                "log::set_logger::_$u7b$$u7b$closure$u7d$$u7d$::hcb7821323b596727"
            )
            .as_deref(),
            Some("log::set_logger::_{{closure}}")
        );
        assert_eq!(
            demangle_rust_legacy("_$LT$$RF$$u27$a$u20$mut$u20$I$u20$as$u20$core..iter..iterator..Iterator$GT$::next::h01cfe524df2e1837").as_deref(),
            Some("<&'a mut I as core::iter::iterator::Iterator>::next")
        );
        assert_eq!(
            demangle_rust_legacy("a$LT::h0123456789abcdef"),
            None,
            "unterminated escape"
        );
        assert_eq!(
            demangle_rust_legacy("a$uZZ$::h0123456789abcdef"),
            None,
            "bad hex escape"
        );
    }
}
