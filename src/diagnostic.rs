//! Diagnostics of every stage (syntax, check, data) and their rendering.
//!
//! Each stage defines its own typed errors (thiserror + miette `Diagnostic`) with spans
//! as labels; a [`Diag`] pairs one with its severity and the file its spans point into.
//! [`render`] turns them into the text `check` prints: `file:line:col`, a source
//! excerpt, labels and `help`. The library never prints; the CLI decides colours.

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
    pub inner: Box<dyn Diagnostic + Send + Sync + 'static>,
}

impl Diag {
    pub fn error(file: Option<FileId>, e: impl Diagnostic + Send + Sync + 'static) -> Diag {
        Diag {
            severity: Severity::Error,
            file,
            inner: Box::new(e),
        }
    }

    pub fn warning(file: Option<FileId>, e: impl Diagnostic + Send + Sync + 'static) -> Diag {
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

/// Render diagnostics, each with its source excerpt, in the given order.
pub fn render(sources: &SourceMap, diags: &[Diag], style: Style) -> String {
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
        let view = WithSource {
            diag: d,
            source: src.as_ref(),
        };
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&d.to_string());
            out.push('\n');
        }
    }
    out
}

/// A diagnostic seen with its source and its severity.
struct WithSource<'a> {
    diag: &'a Diag,
    source: Option<&'a miette::NamedSource<String>>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.diag, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.diag.inner, f)
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
        self.diag.inner.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diag.inner.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.diag.inner.related()
    }
}
