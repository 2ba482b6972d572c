//! Writers for test inputs: binary plists, keyed archives, zips and a small synthetic `.trace`.
//!
//! Why hand-written: the importer's readers are checked against bytes laid out here from the
//! format descriptions (CFBinaryPList.c, PKWARE's APPNOTE, the store layouts in [`super::store`]),
//! independently of the reading code.

use std::collections::BTreeMap;
use std::io::Write;

/// A plist object for [`bplist`]; collections hold object indices.
#[derive(Clone, Debug)]
pub enum W {
    Int(u64),
    Str(String),
    Uid(u64),
    Arr(Vec<usize>),
    Dict(Vec<(usize, usize)>),
    Data(Vec<u8>),
}

fn marker(out: &mut Vec<u8>, kind: u8, len: usize) {
    if len < 15 {
        out.push(kind << 4 | len as u8);
    } else {
        out.push(kind << 4 | 0x0f);
        out.push(0x12);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

/// A binary plist of `objs` (2-byte references, 4-byte offsets) with root `root`.
pub fn bplist(objs: &[W], root: usize) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for o in objs {
        offsets.push(out.len() as u32);
        match o {
            W::Int(n) => {
                out.push(0x13);
                out.extend_from_slice(&n.to_be_bytes());
            }
            W::Str(s) => {
                marker(&mut out, 0x5, s.len());
                out.extend_from_slice(s.as_bytes());
            }
            W::Uid(u) => {
                out.push(0x83);
                out.extend_from_slice(&(*u as u32).to_be_bytes());
            }
            W::Data(d) => {
                marker(&mut out, 0x4, d.len());
                out.extend_from_slice(d);
            }
            W::Arr(items) => {
                marker(&mut out, 0xA, items.len());
                for &i in items {
                    out.extend_from_slice(&(i as u16).to_be_bytes());
                }
            }
            W::Dict(pairs) => {
                marker(&mut out, 0xD, pairs.len());
                for &(k, _) in pairs {
                    out.extend_from_slice(&(k as u16).to_be_bytes());
                }
                for &(_, v) in pairs {
                    out.extend_from_slice(&(v as u16).to_be_bytes());
                }
            }
        }
    }
    let table = out.len() as u64;
    for o in offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 4, 2]);
    out.extend_from_slice(&(objs.len() as u64).to_be_bytes());
    out.extend_from_slice(&(root as u64).to_be_bytes());
    out.extend_from_slice(&table.to_be_bytes());
    out
}

/// Builds an NSKeyedArchiver archive: plist objects plus the `$objects` list UIDs index.
#[derive(Default)]
pub struct Ka {
    pub objs: Vec<W>,
    pub archived: Vec<usize>,
    classes: BTreeMap<String, u64>,
}

impl Ka {
    pub fn new() -> Self {
        let mut k = Ka::default();
        let null = k.plain(W::Str("$null".into()));
        k.archived.push(null);
        k
    }
    /// A plist object (not in `$objects`).
    pub fn plain(&mut self, w: W) -> usize {
        self.objs.push(w);
        self.objs.len() - 1
    }
    pub fn s(&mut self, s: &str) -> usize {
        self.plain(W::Str(s.into()))
    }
    pub fn i(&mut self, n: u64) -> usize {
        self.plain(W::Int(n))
    }
    /// A UID reference to archived object `uid`.
    pub fn u(&mut self, uid: u64) -> usize {
        self.plain(W::Uid(uid))
    }
    /// Adds a plist object to `$objects`; returns its UID.
    pub fn archive(&mut self, w: W) -> u64 {
        let r = self.plain(w);
        self.archived.push(r);
        (self.archived.len() - 1) as u64
    }
    /// An object of `class` with `fields`; returns its UID.
    pub fn obj(&mut self, class: &str, fields: &[(&str, usize)]) -> u64 {
        let cuid = match self.classes.get(class) {
            Some(&c) => c,
            None => {
                let (k, v) = (self.s("$classname"), self.s(class));
                let c = self.archive(W::Dict(vec![(k, v)]));
                self.classes.insert(class.into(), c);
                c
            }
        };
        let mut pairs = vec![(self.s("$class"), self.u(cuid))];
        for &(k, v) in fields {
            pairs.push((self.s(k), v));
        }
        self.archive(W::Dict(pairs))
    }
    /// An `NSArray` of plist references; returns a UID ref to it.
    pub fn ns_array(&mut self, items: Vec<usize>) -> usize {
        let a = self.plain(W::Arr(items));
        let uid = self.obj("NSArray", &[("NS.objects", a)]);
        self.u(uid)
    }
    /// An `NSMutableDictionary`; returns a UID ref to it.
    pub fn ns_dict(&mut self, pairs: Vec<(usize, usize)>) -> usize {
        let k = self.plain(W::Arr(pairs.iter().map(|p| p.0).collect()));
        let v = self.plain(W::Arr(pairs.iter().map(|p| p.1).collect()));
        let uid = self.obj("NSMutableDictionary", &[("NS.keys", k), ("NS.objects", v)]);
        self.u(uid)
    }
    /// The archive bytes with `$top` = `top`.
    pub fn finish(mut self, top: &[(&str, usize)]) -> Vec<u8> {
        let mut tp = Vec::new();
        for &(k, v) in top {
            tp.push((self.s(k), v));
        }
        let top = self.plain(W::Dict(tp));
        let objects = self.plain(W::Arr(self.archived.clone()));
        let keys = [
            self.s("$version"),
            self.s("$archiver"),
            self.s("$top"),
            self.s("$objects"),
        ];
        let (ver, arch) = (self.i(100_000), self.s("NSKeyedArchiver"));
        let root = self.plain(W::Dict(vec![
            (keys[0], ver),
            (keys[1], arch),
            (keys[2], top),
            (keys[3], objects),
        ]));
        bplist(&self.objs, root)
    }
}

/// A zip of `(name, bytes, deflated)` members.
pub fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, data, deflate) in members {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let body = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        } else {
            data.to_vec()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&[0, 0, 0, 0]);
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(body.len() as u32).to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let n = (members.len() as u16).to_le_bytes();
    out.extend_from_slice(&n);
    out.extend_from_slice(&n);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// Address → (symbol name or `None`, source file) of the synthetic trace.
pub const SYMBOLS: [(u64, Option<&str>, &str); 4] = [
    (0x1000, Some("main"), "main.c"),
    (0x2000, Some("work"), "main.c"),
    (0x3000, Some("leaf"), "leaf.c"),
    (0x4000, None, "lib.c"),
];

/// `form.template` of the synthetic trace: the Time Profiler, run 1, one process with
/// [`SYMBOLS`] (one `PFTSymbolData` each; an address/line pair per symbol).
pub fn form_template(instrument: &str) -> Vec<u8> {
    let mut k = Ka::new();
    let mut syms = Vec::new();
    let owner_name = k.s("app");
    let owner = k.obj("PFTOwnerData", &[("$0", owner_name)]);
    for (addr, name, file) in SYMBOLS {
        let name = match name {
            Some(n) => k.s(n),
            None => k.u(0),
        };
        let file = k.s(file);
        let owner = k.u(owner);
        let (hash, n, a, line) = (k.i(12345), k.i(1), k.i(addr), k.i(7));
        let f = [
            ("$0", name),
            ("$1", file),
            ("$2", owner),
            ("$3", hash),
            ("$4", n),
            ("$5", a),
            ("$6", line),
        ];
        let uid = k.obj("PFTSymbolData", &f);
        syms.push(k.u(uid));
    }
    let count = k.i(syms.len() as u64 + 1);
    let names: Vec<String> = (5..5 + syms.len()).map(|i| format!("${i}")).collect();
    let mut fields = vec![("$4", count)];
    fields.extend(names.iter().map(String::as_str).zip(syms.iter().copied()));
    let pfs = k.obj("PFTPersistentSymbols", &fields);
    let (size, pid, pfs) = (k.i(1), k.i(42), k.u(pfs));
    let by_pid = k.obj(
        "XRIntKeyedDictionary",
        &[("$0", size), ("$1", pid), ("$2", pfs)],
    );
    let key = k.s("symbolsByPid");
    let by_pid = k.u(by_pid);
    let run = k.ns_dict(vec![(key, by_pid)]);
    let one = k.i(1);
    let numbers = k.ns_array(vec![one]);
    let run_key = k.i(1);
    let runs = k.ns_dict(vec![(run_key, run)]);
    let list = k.obj("XRRunListData", &[("$0", numbers), ("$1", runs)]);
    let list = k.u(list);
    let sel_key = k.s("_selectedRunNumber");
    let sel = k.i(1);
    let owner_t = k.ns_dict(vec![(sel_key, sel)]);
    let inst = k.s(instrument);
    k.finish(&[
        ("$1", inst),
        ("com.apple.xray.run.data", list),
        ("com.apple.xray.owner.template", owner_t),
    ])
}

/// A bulkstore of `(time, thread, backtrace)` records (33-byte records, header of 32 bytes),
/// followed by one zeroed record.
pub fn bulkstore(samples: &[(u64, u32, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in [0x1234_220A_u32, 3, 40, 32, 33, 0, 0, 0] {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for &(t, thread, bt) in samples {
        out.extend_from_slice(&t.to_le_bytes()[..6]);
        out.extend_from_slice(&thread.to_le_bytes());
        out.extend_from_slice(&[0; 11]);
        out.extend_from_slice(&1_000_000u64.to_le_bytes());
        out.extend_from_slice(&bt.to_le_bytes());
    }
    out.extend_from_slice(&[0; 33]);
    out
}

/// `integeruniquer.index` and `.data` holding `arrays`.
pub fn uniquer(arrays: &[Vec<u64>]) -> (Vec<u8>, Vec<u8>) {
    let mut index = vec![0u8; 32];
    let mut data = vec![0u8; 32];
    index.extend_from_slice(&[0; 8]); // the header marker entry
    for a in arrays {
        index.extend_from_slice(&(data.len() as u32).to_le_bytes());
        index.extend_from_slice(&0u32.to_le_bytes());
        data.extend_from_slice(&(a.len() as u32).to_le_bytes());
        for v in a {
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    (index, data)
}

/// The files of a synthetic one-run `.trace` (relative paths).
pub fn trace_files(samples: &[(u64, u32, u32)], arrays: &[Vec<u64>]) -> BTreeMap<String, Vec<u8>> {
    let core = "corespace/run1/core/";
    let (index, data) = uniquer(arrays);
    let mut files = BTreeMap::new();
    files.insert(
        "form.template".into(),
        form_template(super::template::TIME_PROFILER),
    );
    files.insert(
        format!("{core}stores/indexed-store-1/schema.xml"),
        b"<schema name=\"thread-state\"></schema>".to_vec(),
    );
    files.insert(
        format!("{core}stores/indexed-store-1/bulkstore"),
        vec![0; 64],
    );
    files.insert(
        format!("{core}stores/indexed-store-2/schema.xml"),
        b"<schema name=\"time-profile\" topology=\"x\"></schema>".to_vec(),
    );
    files.insert(
        format!("{core}stores/indexed-store-2/bulkstore"),
        bulkstore(samples),
    );
    files.insert(
        format!("{core}uniquing/arrayUniquer/integeruniquer.index"),
        index,
    );
    files.insert(
        format!("{core}uniquing/arrayUniquer/integeruniquer.data"),
        data,
    );
    files
}

/// zlib-compresses `data` (as Instruments 9+ stores its files).
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
