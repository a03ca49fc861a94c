//! Diagnostics of every stage (syntax, check, data) and their rendering.
//!
//! Each stage defines its own typed errors (thiserror + miette `Diagnostic`) with spans
//! as labels; a [`Diag`] pairs one with its severity and the file its spans point into.
//! [`render`] turns them into the text `check` prints: `file:line:col`, a source
//! excerpt, labels and `help`. The library never prints; the CLI decides colours.

use crate::lang::{Lang, LocalizeDiag, ZhDiag};
use crate::span::{FileId, SourceMap};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One diagnostic of any stage.
#[derive(Debug)]
pub struct Diag {
    pub severity: Severity,
    /// The file the labels point into; `None` for diagnostics about no file's text.
    pub file: Option<FileId>,
    pub inner: Box<dyn LocalDiagnostic>,
}

/// A diagnostic with its Chinese text ([`LocalizeDiag`]): what a [`Diag`] holds.
pub trait LocalDiagnostic: Diagnostic + LocalizeDiag + Send + Sync + 'static {}

impl<T: Diagnostic + LocalizeDiag + Send + Sync + 'static> LocalDiagnostic for T {}

impl Diag {
    pub fn error(file: Option<FileId>, e: impl LocalDiagnostic) -> Diag {
        Diag {
            severity: Severity::Error,
            file,
            inner: Box::new(e),
        }
    }

    pub fn warning(file: Option<FileId>, e: impl LocalDiagnostic) -> Diag {
        Diag {
            severity: Severity::Warning,
            file,
            inner: Box::new(e),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic's code (`parkrules::check::unknown_name`), for tests.
    pub fn code(&self) -> Option<String> {
        self.inner.code().map(|c| c.to_string())
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

/// How to render: colours for a terminal, plain for files and snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

/// Render diagnostics, each with its source excerpt, in the given order (English).
pub fn render(sources: &SourceMap, diags: &[Diag], style: Style) -> String {
    render_in(sources, diags, style, Lang::En)
}

/// [`render`] in a language: in Chinese, the message, labels and help are the
/// diagnostic's [`ZhDiag`], and the severity reads 错误/警告.
pub fn render_in(sources: &SourceMap, diags: &[Diag], style: Style, lang: Lang) -> String {
    let theme = match style {
        Style::Plain => GraphicalTheme::unicode_nocolor(),
        Style::Color => GraphicalTheme::unicode(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let src = d.file.map(|f| sources.named_source(f));
        let zh = match lang {
            Lang::En => None,
            Lang::Zh => Some(d.inner.zh_diag()),
        };
        let view = WithSource {
            diag: d,
            source: src.as_ref(),
            zh: zh.as_ref(),
        };
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&d.to_string());
            out.push('\n');
        }
    }
    match lang {
        Lang::En => out,
        Lang::Zh => zh_severities(&out),
    }
}

/// The one English word miette writes itself: `help:` before a diagnostic's help.
/// Source excerpts never start a line with it (they start with a line number or `│`).
fn zh_severities(out: &str) -> String {
    let mut s = String::with_capacity(out.len());
    for line in out.split_inclusive('\n') {
        let rest = line.trim_start_matches(' ');
        match rest.strip_prefix("help: ") {
            Some(help) => {
                s.push_str(line.get(..line.len() - rest.len()).unwrap_or(""));
                s.push_str("提示: ");
                s.push_str(help);
            }
            None => s.push_str(line),
        }
    }
    s
}

/// A diagnostic seen with its source and its severity.
struct WithSource<'a> {
    diag: &'a Diag,
    source: Option<&'a miette::NamedSource<String>>,
    /// The Chinese text, when rendering in Chinese.
    zh: Option<&'a ZhDiag>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.diag, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.zh {
            Some(zh) => {
                let severity = match self.diag.severity {
                    Severity::Error => "错误",
                    Severity::Warning => "警告",
                };
                write!(f, "{severity}: {}", zh.message)
            }
            None => fmt::Display::fmt(&self.diag.inner, f),
        }
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        match self.zh {
            Some(zh) => zh
                .help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>),
            None => self.diag.inner.help(),
        }
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.diag.inner.labels()?;
        let Some(zh) = self.zh else {
            return Some(labels);
        };
        // The Chinese labels in miette's order; a label without one keeps its text.
        let mut texts = zh.labels.iter();
        Some(Box::new(labels.map(move |l| match texts.next() {
            Some(t) => LabeledSpan::new_with_span(Some(t.clone()), *l.inner()),
            None => l,
        })))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.diag.inner.related()
    }
}
