//! Loading a policy: a `.rules` file or a folder of them, and its `extends` chain.
//!
//! Consumes a path (or a text, for tests); reads every file (UTF-8 only), parses it,
//! follows `extends` (relative to the directory of the file that says it) and hands
//! the chain to [`crate::check`]. Produces [`Compiled`]: every file read, the checked
//! program when there is no error, and all diagnostics. A folder's files form one
//! policy, read in file-name order; exactly one of them carries the `policy` header.

use crate::ast::{self, Item};
use crate::check::{self, Layer, err::CheckError};
use crate::diagnostic::Diag;
use crate::program::Program;
use crate::span::{FileId, SourceMap, Span};
use std::path::{Path, PathBuf};

/// The result of loading and checking a policy.
#[derive(Debug)]
pub struct Compiled {
    /// Every file read (the policy's and its bases'), for rendering diagnostics.
    pub sources: SourceMap,
    /// The checked program; `None` when there is any error.
    pub program: Option<Program>,
    /// Errors and warnings: loading and syntax first, then checking.
    pub diagnostics: Vec<Diag>,
}

impl Compiled {
    /// True when any diagnostic is an error (then `program` is `None`).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diag::is_error)
    }
}

/// Load and check the policy at `path` (a `.rules` file or a folder of them).
pub fn compile_path(path: &Path) -> Compiled {
    on_big_stack(|| {
        let mut l = Loader::default();
        let top = l.read_layer(path);
        l.finish(top, path)
    })
}

/// Check one policy file given as text (for tests and tools); `extends` is resolved
/// relative to the directory of `path_for_messages`.
pub fn compile_str(path_for_messages: &str, text: &str) -> Compiled {
    on_big_stack(|| {
        let mut l = Loader::default();
        let top = l.text_file(PathBuf::from(path_for_messages), text.to_string());
        let layer = top.map(|f| Layer { files: vec![f] });
        l.finish(layer, Path::new(path_for_messages))
    })
}

/// Stack for parsing and checking: both recurse (bounded by the parser's nesting limit
/// and [`check::MAX_LET_DEPTH`]); a large policy must not overflow a small thread stack.
const STACK_BYTES: usize = 256 << 20;

/// Run `f` on a thread with a large stack (only reserved, not committed, memory);
/// inline if no thread can be made.
fn on_big_stack<F: FnOnce() -> Compiled + Send>(f: F) -> Compiled {
    let cell = std::sync::Mutex::new(Some(f));
    let take = || cell.lock().ok().and_then(|mut g| g.take());
    let run = || take().map(|f| f());
    let spawned = std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, run)
            .ok()?;
        match handle.join() {
            Ok(out) => out,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    });
    match spawned.or_else(|| take().map(|f| f())) {
        Some(c) => c,
        None => Compiled {
            sources: SourceMap::new(),
            program: None,
            diagnostics: Vec::new(),
        },
    }
}

#[derive(Default)]
struct Loader {
    sources: SourceMap,
    diags: Vec<Diag>,
    /// A file could not be read or parsed, or the chain is broken: checking the rest
    /// would only report consequences of it.
    fatal: bool,
}

impl Loader {
    fn finish(mut self, top: Option<Layer>, path: &Path) -> Compiled {
        let mut layers = Vec::new();
        if let Some(top) = top {
            self.follow(top, path, &mut layers);
        }
        layers.reverse();
        let (program, mut diags) = if self.fatal || layers.is_empty() {
            (None, Vec::new())
        } else {
            check::check(&self.sources, &layers)
        };
        let mut diagnostics = self.diags;
        diagnostics.append(&mut diags);
        let program = program.filter(|_| !diagnostics.iter().any(Diag::is_error));
        Compiled {
            sources: self.sources,
            program,
            diagnostics,
        }
    }

    /// Push `top` and the layers it extends, nearest first.
    fn follow(&mut self, top: Layer, path: &Path, out: &mut Vec<Layer>) {
        let mut seen: Vec<(PathBuf, String)> = Vec::new();
        if let Ok(c) = std::fs::canonicalize(path) {
            seen.push((c, path.display().to_string()));
        }
        let mut next = Some((top, path.to_path_buf()));
        while let Some((layer, cur)) = next.take() {
            self.check_headers(&layer, &cur);
            let base = self.extends(&layer);
            out.push(layer);
            let Some((base_path, at)) = base else {
                break;
            };
            let Ok(canon) = std::fs::canonicalize(&base_path) else {
                self.error(
                    Some(at),
                    CheckError::MissingBase {
                        path: base_path.display().to_string(),
                        at: at.source_span(),
                    },
                );
                break;
            };
            if seen.iter().any(|(c, _)| *c == canon) {
                let mut chain: Vec<String> = seen.iter().map(|(_, s)| s.clone()).collect();
                chain.push(base_path.display().to_string());
                let chain = chain.join(" → ");
                self.error(
                    Some(at),
                    CheckError::ExtendsCycle {
                        chain,
                        at: at.source_span(),
                    },
                );
                break;
            }
            seen.push((canon, base_path.display().to_string()));
            next = self.read_layer(&base_path).map(|l| (l, base_path));
        }
    }

    /// The base a layer extends: its path and the span of the `extends` string.
    fn extends(&mut self, layer: &Layer) -> Option<(PathBuf, Span)> {
        let lit = layer.header()?.extends.as_ref()?;
        let Some(rel) = lit.plain() else {
            self.error(
                Some(lit.span),
                CheckError::InvalidExtends {
                    at: lit.span.source_span(),
                },
            );
            return None;
        };
        let dir = self
            .sources
            .path(lit.span.file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Some((dir.join(rel), lit.span))
    }

    /// Exactly one `policy` header per layer.
    fn check_headers(&mut self, layer: &Layer, path: &Path) {
        let headers: Vec<&ast::PolicyHeader> = layer
            .files
            .iter()
            .flat_map(|f| &f.items)
            .filter_map(|i| match i {
                Item::Policy(h) => Some(h),
                _ => None,
            })
            .collect();
        match headers.as_slice() {
            [] => self.diags.push(Diag::error(
                None,
                CheckError::NoPolicyHeader {
                    path: path.display().to_string(),
                },
            )),
            [_] => {}
            [first, rest @ ..] => {
                for second in rest {
                    let e = CheckError::TwoPolicyHeaders {
                        first: self.sources.path(first.span.file).display().to_string(),
                        second: self.sources.path(second.span.file).display().to_string(),
                        at: second.span.source_span(),
                    };
                    self.diags.push(Diag::error(Some(second.span.file), e));
                }
            }
        }
    }

    fn error(&mut self, at: Option<Span>, e: CheckError) {
        self.fatal = true;
        self.diags.push(Diag::error(at.map(|s| s.file), e));
    }

    /// A file, or every `.rules` file of a folder in file-name order.
    fn read_layer(&mut self, path: &Path) -> Option<Layer> {
        if !path.is_dir() {
            return self.read_file(path).map(|f| Layer { files: vec![f] });
        }
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rules"))
                .collect(),
            Err(e) => {
                self.unreadable(path, &e);
                return None;
            }
        };
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        if paths.is_empty() {
            let path = path.display().to_string();
            self.error(None, CheckError::NoRulesFiles { path });
            return None;
        }
        let texts: Vec<FileId> = paths.iter().filter_map(|p| self.read_text(p)).collect();
        let files = parse_all(&self.sources, &texts)
            .into_iter()
            .filter_map(|r| self.parsed(r))
            .collect();
        Some(Layer { files })
    }

    fn unreadable(&mut self, path: &Path, e: &std::io::Error) {
        let e = CheckError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        self.error(None, e);
    }

    fn read_file(&mut self, path: &Path) -> Option<ast::File> {
        let id = self.read_text(path)?;
        let parsed = crate::syntax::parse_file(self.sources.text(id), id);
        self.parsed(parsed)
    }

    /// Read a file into the source map (UTF-8 checked), without parsing it.
    fn read_text(&mut self, path: &Path) -> Option<FileId> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.unreadable(path, &e);
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some(self.sources.add(path.to_path_buf(), text)),
            Err(e) => {
                let e = CheckError::InvalidUtf8 {
                    path: path.display().to_string(),
                    offset: e.utf8_error().valid_up_to(),
                };
                self.error(None, e);
                None
            }
        }
    }

    fn text_file(&mut self, path: PathBuf, text: String) -> Option<ast::File> {
        let id = self.sources.add(path, text);
        let parsed = crate::syntax::parse_file(self.sources.text(id), id);
        self.parsed(parsed)
    }

    fn parsed(&mut self, r: Result<ast::File, Vec<Diag>>) -> Option<ast::File> {
        match r {
            Ok(f) => Some(f),
            Err(mut ds) => {
                self.fatal = true;
                self.diags.append(&mut ds);
                None
            }
        }
    }
}

type Parsed = Result<ast::File, Vec<Diag>>;

/// Parse the files of a folder on every core, largest first (so one long file does
/// not leave a core idle at the end); results in the order of `ids`.
fn parse_all(sources: &SourceMap, ids: &[FileId]) -> Vec<Parsed> {
    let mut by_size: Vec<(usize, FileId)> = ids.iter().copied().enumerate().collect();
    by_size.sort_by_key(|&(_, id)| std::cmp::Reverse(sources.text(id).len()));
    let parsed = crate::parallel::map_in_order(&by_size, |&(i, id)| {
        (i, crate::syntax::parse_file(sources.text(id), id))
    });
    let mut slots: Vec<Option<Parsed>> = ids.iter().map(|_| None).collect();
    for (i, p) in parsed {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(p);
        }
    }
    slots.into_iter().flatten().collect()
}
