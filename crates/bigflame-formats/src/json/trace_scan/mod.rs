//! A piece of a trace's event list read straight from its bytes into a [`Piece`], without
//! simd-json's padded copy and tape.
//!
//! Why: on a real Node.js trace (7.5 MB, 33k events of ten keys each) building the tape and then
//! walking it was about half of the import: simd-json stores every value (`cat`, `tts`, flow ids)
//! as a tape node only for [`Ev::read`](super::trace_event::Ev) to look at five of them. Here one
//! pass checks the JSON and keeps just what a duration event needs; the usual keys are matched
//! with one 8-byte compare ([`lexer`] does the strings and numbers).
//!
//! Same result as the tape path, or none: the scanner is a strict JSON reader (UTF-8, string
//! escapes, the number grammar, nesting) and hands the piece back (`None`) whenever it is not
//! sure to read it exactly as simd-json and [`read_events`](super::trace_piece::read_events)
//! would. Then the tape path reads the piece, so correctness never rests on this file:
//! - a metadata (`M`) event, whose `args.name` the tape path reads;
//! - an event named like a DevTools CPU profile, which sends the whole trace elsewhere anyway;
//! - an escaped key, or an escaped `ph`, `name` or number-as-string, which would need unescaping;
//! - an integer of more than 18 digits, whose tape value depends on simd-json's overflow rules;
//! - `args` of a duration event whose text is not already what `JSON.stringify` writes (spaces,
//!   a float, `-0`, a `\u` or `\/` escape): the frame key is then not the raw text;
//! - nesting deeper than [`lexer::MAX_NEST`], and of course anything that is not valid JSON.
//!
//! Floats are parsed with the standard library, which rounds correctly as simd-json does, so both
//! give the same `f64` (a float out of range is refused by both).

use super::trace_piece::{Duration, Piece, is_cpu_profile_name, is_duration};
use lexer::{Escapes, Scanner};

mod lexer;
#[cfg(test)]
mod tests;

/// Reads `piece` (whole events separated by commas, without the list's brackets) or `None` when
/// the tape path has to.
pub(crate) fn read_piece(piece: &[u8]) -> Option<Piece> {
    let text = std::str::from_utf8(piece).ok()?;
    let mut s = Scanner::new(text);
    let mut p = Piece::new();
    let mut key = String::new();
    loop {
        s.ws();
        let ev = s.event()?;
        // A DevTools CPU profile (the whole trace goes elsewhere) or metadata: the tape path.
        if is_cpu_profile_name(ev.first_name) || ev.ph == b'M' {
            return None;
        }
        if let Some(ts) = ev.ts.filter(|_| is_duration(ev.ph)) {
            key.clear();
            key.push_str(ev.name.unwrap_or("(unnamed)"));
            if let Some(args) = ev.args.filter(|a| a.truthy) {
                if !args.canonical {
                    return None;
                }
                key.push(' ');
                key.push_str(args.text);
            }
            let id = p.text_key_id(&key);
            let duration = Duration {
                ph: ev.ph,
                pid: ev.pid,
                tid: ev.tid,
                ts,
                dur: ev.dur.or(ev.tdur),
                name: ev.name,
            };
            p.push_duration(&duration, id);
        }
        s.ws();
        match s.byte() {
            Some(b',') => s.i += 1,
            None => return Some(p),
            Some(_) => return None,
        }
    }
}

/// The fields of one event, as [`Ev::read`](super::trace_event::Ev) takes them: the last of a
/// repeated key wins, except `first_name`.
struct Fields<'i> {
    ph: u8,
    pid: i64,
    tid: i64,
    ts: Option<f64>,
    dur: Option<f64>,
    tdur: Option<f64>,
    name: Option<&'i str>,
    first_name: Option<&'i str>,
    args: Option<Args<'i>>,
}

/// The `args` value: its text, whether that text is exactly its `JSON.stringify`, and its
/// JavaScript truthiness.
#[derive(Clone, Copy)]
struct Args<'i> {
    text: &'i str,
    canonical: bool,
    truthy: bool,
}

/// The keys of an event that are read; the rest are checked and skipped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Ph,
    Pid,
    Tid,
    Ts,
    Dur,
    Tdur,
    Name,
    Args,
    Other,
}

impl Key {
    fn of(key: &str) -> Key {
        match key {
            "ph" => Key::Ph,
            "pid" => Key::Pid,
            "tid" => Key::Tid,
            "ts" => Key::Ts,
            "dur" => Key::Dur,
            "tdur" => Key::Tdur,
            "name" => Key::Name,
            "args" => Key::Args,
            _ => Key::Other,
        }
    }
}

/// `text` (at most 8 bytes) as a little-endian word, the mask of its bytes, its length and key.
const fn key_pattern(text: &[u8], key: Key) -> (u64, u64, usize, Key) {
    let mut word = 0;
    let mut i = 0;
    while i < text.len() {
        word |= (text[i] as u64) << (8 * i);
        i += 1;
    }
    let mask = if text.len() >= 8 {
        u64::MAX
    } else {
        (1 << (8 * text.len())) - 1
    };
    (word, mask, text.len(), key)
}

const KEY_PH: (u64, u64, usize, Key) = key_pattern(b"\"ph\":", Key::Ph);
const KEY_PID: (u64, u64, usize, Key) = key_pattern(b"\"pid\":", Key::Pid);
const KEY_TID: (u64, u64, usize, Key) = key_pattern(b"\"tid\":", Key::Tid);
const KEY_TS: (u64, u64, usize, Key) = key_pattern(b"\"ts\":", Key::Ts);
const KEY_TTS: (u64, u64, usize, Key) = key_pattern(b"\"tts\":", Key::Other);
const KEY_DUR: (u64, u64, usize, Key) = key_pattern(b"\"dur\":", Key::Dur);
const KEY_TDUR: (u64, u64, usize, Key) = key_pattern(b"\"tdur\":", Key::Tdur);
const KEY_NAME: (u64, u64, usize, Key) = key_pattern(b"\"name\":", Key::Name);
const KEY_ARGS: (u64, u64, usize, Key) = key_pattern(b"\"args\":", Key::Args);
const KEY_CAT: (u64, u64, usize, Key) = key_pattern(b"\"cat\":", Key::Other);
const KEY_ID: (u64, u64, usize, Key) = key_pattern(b"\"id\":", Key::Other);

impl<'i> Scanner<'i> {
    /// One event object.
    fn event(&mut self) -> Option<Fields<'i>> {
        let mut ev = Fields {
            ph: 0,
            pid: 0,
            tid: 0,
            ts: None,
            dur: None,
            tdur: None,
            name: None,
            first_name: None,
            args: None,
        };
        let mut named = false;
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(ev);
        }
        loop {
            self.ws();
            let key = match self.compact_key() {
                Some(key) => key,
                None => {
                    let (key, escapes) = self.string()?;
                    if escapes != Escapes::None {
                        return None;
                    }
                    self.ws();
                    self.eat(b':')?;
                    Key::of(key)
                }
            };
            self.ws();
            match key {
                Key::Ph => {
                    ev.ph = self
                        .str_value()?
                        .and_then(|s| s.bytes().next())
                        .unwrap_or(0)
                }
                Key::Pid => ev.pid = self.number_like()?.map_or(0, |n| n as i64),
                Key::Tid => ev.tid = self.number_like()?.map_or(0, |n| n as i64),
                Key::Ts => ev.ts = self.number_like()?,
                Key::Dur => ev.dur = self.number_like()?,
                Key::Tdur => ev.tdur = self.number_like()?,
                Key::Name => {
                    ev.name = self.str_value()?;
                    if !named {
                        ev.first_name = ev.name;
                        named = true;
                    }
                }
                Key::Args => {
                    let from = self.i;
                    let shape = self.value(1)?;
                    ev.args = Some(Args {
                        text: &self.text[from..self.i],
                        canonical: shape.canonical,
                        truthy: shape.truthy,
                    });
                }
                Key::Other => {
                    self.value(1)?;
                }
            }
            self.ws();
            match self.byte()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(ev);
                }
                _ => return None,
            }
        }
    }

    /// The key at the cursor and its colon when they are written `"key":` and the key is one of
    /// the usual ones: one 8-byte load and a compare or two instead of a string scan.
    #[inline]
    fn compact_key(&mut self) -> Option<Key> {
        let word = self.text.as_bytes().get(self.i..self.i + 8)?;
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        let candidates: &[(u64, u64, usize, Key)] = match bytes[1] {
            b'p' => &[KEY_PH, KEY_PID],
            b't' => &[KEY_TS, KEY_TID, KEY_TDUR, KEY_TTS],
            b'n' => &[KEY_NAME],
            b'a' => &[KEY_ARGS],
            b'd' => &[KEY_DUR],
            b'c' => &[KEY_CAT],
            b'i' => &[KEY_ID],
            _ => return None,
        };
        let &(_, _, len, key) = candidates.iter().find(|(p, m, _, _)| w & m == *p)?;
        self.i += len;
        Some(key)
    }

    /// A value read as a string: `Some(None)` when it is valid JSON but not a string.
    fn str_value(&mut self) -> Option<Option<&'i str>> {
        if self.byte()? != b'"' {
            self.value(1)?;
            return Some(None);
        }
        let (s, escapes) = self.string()?;
        (escapes == Escapes::None).then_some(Some(s))
    }

    /// A value read as [`Val::number_like`](super::Val::number_like) reads it.
    fn number_like(&mut self) -> Option<Option<f64>> {
        match self.byte()? {
            b'-' | b'0'..=b'9' => {
                let n = self.number()?;
                // `-0`: simd-json's sign of zero is not worth guessing.
                (n.canonical || !n.integer).then_some(Some(n.value))
            }
            b'"' => {
                let (s, escapes) = self.string()?;
                (escapes == Escapes::None).then(|| s.trim().parse::<f64>().ok())
            }
            _ => {
                self.value(1)?;
                Some(None)
            }
        }
    }
}
