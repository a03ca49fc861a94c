//! Source locations and the set of policy files they point into.
//!
//! Consumes file paths and texts; produces [`Span`]s that every AST node, IR node and
//! diagnostic carries, and a [`SourceMap`] that turns a span back into `file:line:col`.
//! Equality of spans is always `true`, so AST and IR nodes compare by meaning, not by
//! where they were written (a formatted file parses to an equal AST).

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, Default, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file. Equality ignores the location.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}
impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }

    /// The smallest span covering both (they must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as miette wants it for a label.
    pub fn source_span(&self) -> miette::SourceSpan {
        (self.start, self.len()).into()
    }
}

/// One loaded source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// The byte offset of each line's start (the first is 0): a location is found by
    /// a binary search, not by counting lines from the start of the file (traced
    /// evaluations locate every step).
    line_starts: Arc<[usize]>,
}

/// All source files of a policy and the policies it extends.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        SourceMap::default()
    }

    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let text: Arc<str> = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(SourceFile {
            path: path.into(),
            text,
            line_starts,
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn path(&self, id: FileId) -> &Path {
        self.get(id)
            .map(|f| f.path.as_path())
            .unwrap_or(Path::new("<unknown>"))
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| &*f.text).unwrap_or("")
    }

    /// The source text a span covers (empty when out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.text(span.file).get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let Some(f) = self.get(file) else {
            return (1, 1);
        };
        let offset = offset.min(f.text.len());
        // The lines starting at or before the offset; the last of them holds it.
        let line = f
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = f.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = f.text.get(start..offset).map_or(0, |l| l.chars().count());
        (line, col + 1)
    }

    /// `path:line:col` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.path(span.file).display(), line, col)
    }

    /// A miette source for one file, named by its path.
    pub fn named_source(&self, id: FileId) -> miette::NamedSource<String> {
        miette::NamedSource::new(
            self.path(id).display().to_string(),
            self.text(id).to_string(),
        )
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let mut map = SourceMap::new();
        let text = "规则 甲\n  当 a > 1\n\nb\n";
        let id = map.add("p.policy", text);
        let naive = |offset: usize| {
            let before = text.get(..offset).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, col)
        };
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(map.line_col(id, offset), naive(offset), "offset {offset}");
        }
        assert_eq!(map.line_col(id, 10_000), naive(text.len()));
        assert_eq!(map.location(Span::new(id, 13, 16)), "p.policy:2:3");
    }
}
