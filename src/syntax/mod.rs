//! Syntax: policy text → [`crate::ast::File`]. pest stays behind this module.
//!
//! Consumes the text of one `.rules` file; produces its AST (with every comment, for
//! `fmt`) or every syntax error found, as [`Diag`]s. Stages: [`scan`] (comments and a
//! nesting bound checked before the parser runs), the pest grammar
//! `grammar/parkrules.pest`, and lowering ([`lower`], [`expr`]) to the AST. When the
//! file does not parse, it is split at lines that start a top-level item and each
//! piece is parsed on its own, so an error in one rule does not hide one in the next.

mod blocks;
mod err;
mod expected;
mod expr;
pub mod keywords;
mod lower;
pub mod scan;

pub use err::SyntaxError;
pub use expected::{Expected, Found, Phrase, SyntaxHint, Want};
pub use expr::{MAX_EXPR_DEPTH, MAX_PREFIX_CHAIN};

use crate::ast;
use crate::diagnostic::Diag;
use crate::span::{FileId, Span};
use pest::Parser as _;
use std::num::NonZeroUsize;
use std::sync::Once;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/parkrules.pest"]
struct RulesParser;

/// The most parser steps one parse may take: a last guard against runaway
/// backtracking (nesting is bounded before the parser runs). A large policy file of
/// 100,000 lines takes a few tens of millions of steps.
const CALL_LIMIT: usize = 2_000_000_000;

static SET_LIMIT: Once = Once::new();

/// Parse one `.rules` file.
///
/// Returns the AST with its comments, or every syntax error found (as error
/// diagnostics pointing into `file`). Never panics, however deep or large the input.
///
/// ```
/// use parkrules::ast::Item;
/// use parkrules::span::FileId;
/// use parkrules::syntax::parse_file;
///
/// let file = parse_file("param 比例: percent = 10%  # 第三条", FileId(0)).unwrap();
/// assert!(matches!(file.items.as_slice(), [Item::Param(_)]));
/// assert_eq!(file.comments.0[0].text, " 第三条");
///
/// let errors = parse_file("param 比例: percent =", FileId(0)).unwrap_err();
/// assert_eq!(errors[0].code().as_deref(), Some("parkrules::syntax::unexpected"));
/// ```
pub fn parse_file(text: &str, file: FileId) -> Result<ast::File, Vec<Diag>> {
    let scanned = scan::scan(text, file);
    if let Some(span) = scanned.too_deep {
        let e = SyntaxError::TooDeep {
            limit: scan::MAX_NESTING,
            span: span.source_span(),
        };
        return Err(to_diags(file, vec![e]));
    }
    let d = scanned.dialect();
    let (items, errors) = match parse_piece(text, 0, text, file, d) {
        Ok(ok) => ok,
        Err(e) => (Vec::new(), parse_by_items(text, file, e, d)),
    };
    if !errors.is_empty() {
        return Err(to_diags(file, errors));
    }
    Ok(ast::File {
        items,
        dialect: d,
        comments: ast::Comments(scanned.comments),
        span: Span::new(file, 0, text.len()),
    })
}

/// Parse `piece`, which starts at `offset` in `whole`: its items and its lowering
/// errors, or the parse error (naming keywords in the file's dialect `d`).
fn parse_piece(
    whole: &str,
    offset: usize,
    piece: &str,
    file: FileId,
    d: keywords::Dialect,
) -> Result<(Vec<ast::Item>, Vec<SyntaxError>), SyntaxError> {
    SET_LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
    match RulesParser::parse(Rule::file, piece) {
        Ok(pairs) => Ok(lower::file(pairs, &lower::Ctx { file, offset })),
        Err(e) => Err(expected::convert(&e, whole, offset, d)),
    }
}

/// After `first` failed the whole file, parse it item by item to find every error.
fn parse_by_items(
    text: &str,
    file: FileId,
    first: SyntaxError,
    d: keywords::Dialect,
) -> Vec<SyntaxError> {
    let mut bounds = scan::item_starts(text);
    if bounds.first() != Some(&0) {
        bounds.insert(0, 0);
    }
    bounds.push(text.len());
    let mut errors = Vec::new();
    let mut failed = false;
    for w in bounds.windows(2) {
        let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
            continue;
        };
        let Some(piece) = text.get(a..b) else {
            continue;
        };
        match parse_piece(text, a, piece, file, d) {
            Ok((_, lowering)) => errors.extend(lowering),
            Err(e) => {
                failed = true;
                errors.push(e);
            }
        }
    }
    if !failed {
        // Splitting hid the error (it spans items): report what the whole parse saw.
        errors.push(first);
    }
    errors.sort_by_key(SyntaxError::offset);
    errors
}

/// The keyword dialect of a source text: that of most of its keywords, outside
/// strings and comments (a tie goes to the first keyword's; English when none).
///
/// ```
/// use parkrules::syntax::{dialect, keywords::Dialect};
///
/// assert_eq!(dialect("规则 R : subsidy 适用于 园区 { 金额 1 元 }"), Dialect::Zh);
/// assert_eq!(dialect("rule R : subsidy for 园区 { amount 1 元 }"), Dialect::En);
/// ```
pub fn dialect(text: &str) -> keywords::Dialect {
    scan::scan(text, FileId(0)).dialect()
}

fn to_diags(file: FileId, errors: Vec<SyntaxError>) -> Vec<Diag> {
    errors
        .into_iter()
        .map(|e| Diag::error(Some(file), e))
        .collect()
}
