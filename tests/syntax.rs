//! Integration tests: syntax.
//!
//! Case files under `tests/cases/syntax/`: `*.rules` files that must parse (their AST
//! is snapshotted) and `invalid_*.rules` files whose rendered diagnostics are
//! snapshotted. Plus robustness: huge, deep and random inputs never panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use parkrules::ast::*;
use parkrules::diagnostic::{Style, render};
use parkrules::span::{SourceMap, Span};
use parkrules::syntax::parse_file;

/// A compact, fully parenthesised view of an expression (shows precedence).
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Percent(n) => format!("{n}%"),
        ExprKind::Quantity(n, u) => format!("{n}[{}]", unit(u)),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => strlit(s),
        ExprKind::AsOf => "as_of".into(),
        ExprKind::Name(i) => i.name.clone(),
        ExprKind::Member(b, i) => format!("{}.{}", sx(b), i.name),
        ExprKind::List(xs) => format!("[{}]", list(xs)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("(neg {})", sx(x)),
        ExprKind::Unary(UnaryOp::Not, x) => format!("(not {})", sx(x)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), sx(a), sx(b)),
        ExprKind::Call(c) => {
            let mut s = format!("{}({}", c.func.name, list(&c.args));
            if let Some(f) = &c.filter {
                s += &format!(" where {}", sx(f));
            }
            if let Some(v) = &c.via {
                s += &format!(" via {}", v.name);
            }
            s + ")"
        }
        ExprKind::If(c, a, b) => format!("(if {} {} {})", sx(c), sx(a), sx(b)),
        ExprKind::Match(m) => {
            let arms: Vec<String> = m
                .arms
                .iter()
                .map(|a| {
                    let vs: Vec<&str> = a.variants.iter().map(|v| v.name.as_str()).collect();
                    format!("{} => {}", vs.join("|"), sx(&a.value))
                })
                .collect();
            let other = m.otherwise.as_ref().map(|o| format!("; else => {}", sx(o)));
            format!(
                "(match {} {{{}{}}})",
                sx(&m.scrutinee),
                arms.join("; "),
                other.unwrap_or_default()
            )
        }
        ExprKind::Tier(t) => {
            let rows: Vec<String> = t
                .rows
                .iter()
                .map(|r| format!("{} {} => {}", r.op.symbol(), sx(&r.threshold), sx(&r.value)))
                .collect();
            let other = t.otherwise.as_ref().map(|o| format!("; else => {}", sx(o)));
            format!(
                "(tier {} {{{}{}}})",
                sx(&t.subject),
                rows.join("; "),
                other.unwrap_or_default()
            )
        }
        ExprKind::Brackets(b) => {
            let rows: Vec<String> = b
                .rows
                .iter()
                .map(|r| format!("up to {} => {}", sx(&r.up_to), sx(&r.rate)))
                .collect();
            let other = b.above.as_ref().map(|o| format!("; above => {}", sx(o)));
            format!(
                "(brackets {} {{{}{}}})",
                sx(&b.subject),
                rows.join("; "),
                other.unwrap_or_default()
            )
        }
        ExprKind::Paren(x) => format!("(paren {})", sx(x)),
    }
}

fn list(xs: &[Expr]) -> String {
    xs.iter().map(sx).collect::<Vec<_>>().join(", ")
}

fn unit(u: &UnitExpr) -> String {
    u.atoms
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

fn strlit(s: &StrLit) -> String {
    let parts: Vec<String> = s
        .parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => format!("{t:?}"),
            StrPart::Expr(e) => format!("{{{}}}", sx(e)),
        })
        .collect();
    format!("str[{}]", parts.join(" "))
}

fn ty(t: &TypeExpr) -> String {
    let base = match &t.kind {
        TypeKind::Named(i) => i.name.clone(),
        TypeKind::Per(n, ds) => {
            let ds: Vec<&str> = ds.iter().map(|d| d.name.as_str()).collect();
            format!("{}/{}", n.name, ds.join("/"))
        }
        TypeKind::List(t) => format!("list<{}>", ty(t)),
    };
    if t.optional { base + "?" } else { base }
}

fn ov(o: &Override) -> &'static str {
    if o.is_override() { "override " } else { "" }
}

fn body(out: &mut Vec<String>, indent: &str, b: &RuleBody) {
    if let Some(c) = &b.cite {
        out.push(format!("{indent}cite {}", strlit(c)));
    }
    for w in &b.whens {
        out.push(format!("{indent}when {}", sx(w)));
    }
    match &b.outcome {
        Some(OutcomeDecl::Amount { value, .. }) => {
            out.push(format!("{indent}amount {}", sx(value)))
        }
        Some(OutcomeDecl::Require { cond, message, .. }) => {
            let m = message.as_ref().map(strlit).unwrap_or_default();
            out.push(format!("{indent}require {} else {m}", sx(cond)));
        }
        None => {}
    }
}

/// A compact outline of a file: one line per item, field, clause and row.
fn outline(file: &File) -> String {
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            Item::Policy(p) => out.push(format!(
                "policy {} version {:?} effective {:?} extends {:?}",
                strlit(&p.name),
                p.version.as_ref().map(strlit),
                p.effective.as_ref().map(|d| d.date.to_string()),
                p.extends.as_ref().map(strlit)
            )),
            Item::Enum(e) => {
                let vs: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
                out.push(format!(
                    "{}enum {} {{{}}}",
                    ov(&e.overrides),
                    e.name.name,
                    vs.join(", ")
                ));
            }
            Item::Entity(e) => {
                out.push(format!("{}entity {}", ov(&e.overrides), e.name.name));
                for f in &e.fields {
                    let u = f.unit.as_ref().map(|u| format!(" in {}", unit(u)));
                    let k = if f.key { " key" } else { "" };
                    out.push(format!(
                        "  {}: {}{}{k}",
                        f.name.name,
                        ty(&f.ty),
                        u.unwrap_or_default()
                    ));
                }
            }
            Item::Param(p) => {
                let t =
                    p.ty.as_ref()
                        .map(|t| format!(": {}", ty(t)))
                        .unwrap_or_default();
                match &p.value {
                    ParamValue::Single(e) => out.push(format!(
                        "{}param {}{t} = {}",
                        ov(&p.overrides),
                        p.name.name,
                        sx(e)
                    )),
                    ParamValue::Dated(rows) => {
                        out.push(format!(
                            "{}param {}{t} dated",
                            ov(&p.overrides),
                            p.name.name
                        ));
                        for r in rows {
                            out.push(format!("  {} => {}", r.from.date, sx(&r.value)));
                        }
                    }
                }
            }
            Item::Let(l) => out.push(format!(
                "{}let {}.{} = {}",
                ov(&l.overrides),
                l.entity.name,
                l.name.name,
                sx(&l.value)
            )),
            Item::Rule(r) => {
                out.push(format!(
                    "{}rule {} : {} for {}",
                    ov(&r.overrides),
                    r.name.name,
                    r.family.name(),
                    r.entity.name
                ));
                body(&mut out, "  ", &r.body);
                for e in &r.exceptions {
                    out.push(format!("  exception {}", e.name.name));
                    body(&mut out, "    ", &e.body);
                }
            }
            Item::Test(t) => {
                out.push(format!("test {}", strlit(&t.name)));
                if let Some(d) = &t.as_of {
                    out.push(format!("  as_of {}", d.date));
                }
                for r in &t.records {
                    let fs: Vec<String> = r
                        .fields
                        .iter()
                        .map(|(n, e)| format!("{}: {}", n.name, sx(e)))
                        .collect();
                    out.push(format!(
                        "  record {} {} {{{}}}",
                        r.entity.name,
                        strlit(&r.key),
                        fs.join(", ")
                    ));
                }
                for e in &t.expects {
                    let x = match &e.expected {
                        Expected::Amount(v) => format!("== {}", sx(v)),
                        Expected::Status(s) => s.name.clone(),
                    };
                    out.push(format!(
                        "  expect {} {} {} {x}",
                        e.entity.name,
                        strlit(&e.key),
                        e.rule.name
                    ));
                }
            }
            Item::Remove(r) => {
                let ent = r
                    .entity
                    .as_ref()
                    .map(|e| format!("{}.", e.name))
                    .unwrap_or_default();
                out.push(format!("remove {:?} {ent}{}", r.kind, r.name.name));
            }
        }
    }
    for c in &file.comments.0 {
        out.push(format!(
            "comment{} {:?}",
            if c.trailing { " (trailing)" } else { "" },
            c.text
        ));
    }
    out.join("\n") + "\n"
}

/// Parse a source string given in a test.
fn parse(text: &str) -> Result<File, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("test.rules", text);
    parse_file(text, id).map_err(|d| render(&sources, &d, Style::Plain))
}

/// The codes of the errors of a source that must not parse.
fn codes(text: &str) -> Vec<String> {
    let mut sources = SourceMap::new();
    let id = sources.add("test.rules", text);
    match parse_file(text, id) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().filter_map(|d| d.code()).collect(),
    }
}

/// The one expression of `let E.x = <src>`, fully parenthesised.
fn expr(src: &str) -> String {
    let file = parse(&format!("let E.x = {src}")).unwrap_or_else(|e| panic!("{e}"));
    match file.items.first() {
        Some(Item::Let(l)) => sx(&l.value),
        other => panic!("not a let: {other:?}"),
    }
}

#[test]
fn cases() {
    insta::glob!("cases/syntax/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let mut sources = SourceMap::new();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let id = sources.add(name, text.as_str());
        let out = match parse_file(&text, id) {
            Ok(file) => outline(&file),
            Err(diags) => render(&sources, &diags, Style::Plain),
        };
        let invalid = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("invalid_");
        assert_eq!(out.contains("parkrules::syntax::"), invalid, "{out}");
        insta::with_settings!({
            snapshot_path => "cases/syntax/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(out);
        });
    });
}

#[test]
fn precedence_follows_the_table() {
    assert_eq!(expr("a or b and c"), "(or a (and b c))");
    assert_eq!(expr("not a and b"), "(and (not a) b)");
    assert_eq!(expr("not a == b"), "(not (== a b))");
    assert_eq!(expr("a + b * c - d"), "(- (+ a (* b c)) d)");
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("-a * b"), "(* (neg a) b)");
    assert_eq!(expr("-a.b"), "(neg a.b)");
    assert_eq!(expr("a + b >= c * d"), "(>= (+ a b) (* c d))");
    assert_eq!(
        expr("x not in [1, 2] or y in 表"),
        "(or (not in x [1, 2]) (in y 表))"
    );
    assert_eq!(expr("not not x"), "(not (not x))");
    assert_eq!(expr("(a + b) * c"), "(* (paren (+ a b)) c)");
}

#[test]
fn literals_and_units() {
    assert_eq!(expr("1_000"), "1000");
    assert_eq!(expr("12.5"), "12.5");
    assert_eq!(expr("15%"), "15%");
    assert_eq!(expr("500 万元"), "500[万元]");
    assert_eq!(expr("500万元"), "500[万元]");
    assert_eq!(expr("30 万元/亩"), "30[万元/亩]");
    assert_eq!(expr("25 元/m2/月"), "25[元/m2/月]");
    assert_eq!(expr("100 m²"), "100[m²]");
    assert_eq!(expr("2024-01-01"), "2024-01-01");
    assert_eq!(expr("true and false"), "(and true false)");
    assert_eq!(expr("as_of + 3 年"), "(+ as_of 3[年])");
    // A unit atom followed by a name character is not a unit.
    assert_eq!(expr("100 * 亩均税收"), "(* 100 亩均税收)");
    assert_eq!(expr("500 万元 / 总面积"), "(/ 500[万元] 总面积)");
    assert_eq!(
        codes("let E.x = 100 亩均税收"),
        ["parkrules::syntax::unexpected"]
    );
}

#[test]
fn every_unit_atom_parses_as_a_unit() {
    for u in parkrules::units::UNITS {
        assert_eq!(expr(&format!("7 {}", u.name)), format!("7[{}]", u.name));
        assert_eq!(expr(&format!("7{}", u.name)), format!("7[{}]", u.name));
    }
}

#[test]
fn every_keyword_spelling_is_reserved() {
    for k in parkrules::syntax::keywords::KEYWORDS {
        for s in k.spellings {
            assert!(parse(&format!("param {s}: int = 1")).is_err(), "{s}");
            assert!(parse(&format!("param {s}_x: int = 1")).is_ok(), "{s}");
        }
    }
}

#[test]
fn strings_decode_escapes_and_interpolate() {
    assert_eq!(expr(r#""a\"b\\c\nd\{e\}""#), r#"str["a\"b\\c\nd{e}"]"#);
    assert_eq!(
        expr(r#""占比 {a / b} 超过 {f("x")}""#),
        r#"str["占比 " {(/ a b)} " 超过 " {f(str["x"])}]"#
    );
    assert_eq!(expr(r#""""#), "str[]");
}

#[test]
fn calls_ifs_and_members() {
    assert_eq!(
        expr("count(企业 where 规上 via 园区)"),
        "count(企业 where 规上 via 园区)"
    );
    assert_eq!(
        expr("sum(企业.年税收 where 规上)"),
        "sum(企业.年税收 where 规上)"
    );
    assert_eq!(expr("min(a, b,)"), "min(a, b)");
    assert_eq!(
        expr("if a then 1 else if b then 2 else 3"),
        "(if a 1 (if b 2 3))"
    );
    assert_eq!(expr("if a then b else c + 1"), "(if a b (+ c 1))");
    assert_eq!(expr("园区.建设模式.名称"), "园区.建设模式.名称");
}

/// Parse on a thread with a small stack: deep input must not need a big one.
fn codes_small_stack(text: String) -> Vec<String> {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || codes(&text))
        .unwrap()
        .join()
        .unwrap()
}

const HUGE: usize = 100_000;

#[test]
fn deep_parentheses_are_a_diagnostic() {
    let text = format!("let E.x = {}1{}", "(".repeat(HUGE), ")".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::too_deep"]);
    let text = format!("let E.x = {}", "[".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::too_deep"]);
    let text = format!("param p: text = {}", "\"{".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::too_deep"]);
}

#[test]
fn deep_ifs_are_a_diagnostic() {
    let text = format!("let E.x = {}1", "if a then ".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::too_deep"]);
    let text = format!("let E.x = {}1", "if a then 1 else ".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::too_deep"]);
}

#[test]
fn long_chains_are_a_diagnostic() {
    let text = format!("let E.x = 1{}", " + 1".repeat(HUGE));
    assert_eq!(
        codes_small_stack(text),
        ["parkrules::syntax::expr_too_deep"]
    );
    let text = format!("let E.x = a{}", ".b".repeat(HUGE));
    assert_eq!(
        codes_small_stack(text),
        ["parkrules::syntax::expr_too_deep"]
    );
    let text = format!("let E.x = {}true", "not ".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::prefix_chain"]);
    let text = format!("let E.x = {}1", "-".repeat(HUGE));
    assert_eq!(codes_small_stack(text), ["parkrules::syntax::prefix_chain"]);
}

#[test]
fn chains_within_the_limits_parse() {
    let n = parkrules::syntax::MAX_EXPR_DEPTH;
    assert_eq!(
        codes(&format!("let E.x = 1{}", " + 1".repeat(n - 1))),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&format!("let E.x = 1{}", " + 1".repeat(n))),
        ["parkrules::syntax::expr_too_deep"]
    );
}

#[test]
fn a_hundred_thousand_lines_parse() {
    let text: String = (0..HUGE)
        .map(|i| format!("param p{i}: int = {i}  # n\n"))
        .collect();
    let file = parse(&text).unwrap();
    assert_eq!(file.items.len(), HUGE);
    assert_eq!(file.comments.0.len(), HUGE);
}

#[test]
fn a_megabyte_string_parses() {
    let n = (1 << 20) / "园区".len();
    let body = "园区".repeat(n) + &"\\\"".repeat(1000);
    let file = parse(&format!("param p: text = \"{body}\"")).unwrap();
    let Some(Item::Param(p)) = file.items.first() else {
        panic!()
    };
    let ParamValue::Single(Expr {
        kind: ExprKind::Str(s),
        ..
    }) = &p.value
    else {
        panic!()
    };
    let text = s.plain().unwrap();
    assert!(text.len() >= 1 << 20);
    assert_eq!(text.chars().count(), 2 * n + 1000);
}

/// Deterministic pseudo-random inputs built from the language's own tokens and bytes.
#[test]
fn random_garbage_never_panics() {
    let tokens = [
        "rule",
        "entity",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "\\",
        "#",
        "\n",
        " ",
        "when",
        "amount",
        "=>",
        ">=",
        "tier",
        "else",
        "if",
        "then",
        "not",
        "in",
        "1",
        "2.5",
        "%",
        "万元",
        "/",
        "亩",
        ":",
        ",",
        ".",
        "园区",
        "x",
        "match",
        "|",
        "2024-01-01",
        "{x}",
        "-",
        "param",
        "=",
        "let",
        "test",
        "expect",
        "==",
        "brackets",
        "up",
        "to",
        "above",
        "?",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..400 {
        let mut text = String::new();
        for _ in 0..60 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(tokens[(state % tokens.len() as u64) as usize]);
        }
        let _ = codes(&text);
        let _ = parkrules::fmt::format_source(&text, parkrules::span::FileId(0));
    }
}

/// The text a span covers.
fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn spans_cover_exactly_the_written_text() {
    let text = "rule 甲 : subsidy for 园区 {   # c\n  when a + b   # d\n  amount tier(x) { >= 1 => 2\n else => 3 }  \n}  # e\n";
    let file = parse(text).unwrap();
    let Some(Item::Rule(r)) = file.items.first() else {
        panic!()
    };
    assert_eq!(at(text, r.span), &text[..text.find("}  # e").unwrap() + 1]);
    assert_eq!(at(text, r.name.span), "甲");
    assert_eq!(at(text, r.family_span), "subsidy");
    assert_eq!(at(text, r.body.whens[0].span), "a + b");
    let Some(OutcomeDecl::Amount { value, span }) = &r.body.outcome else {
        panic!()
    };
    assert_eq!(at(text, *span), "amount tier(x) { >= 1 => 2\n else => 3 }");
    let ExprKind::Tier(t) = &value.kind else {
        panic!()
    };
    assert_eq!(at(text, t.rows[0].span), ">= 1 => 2");
    assert_eq!(at(text, t.otherwise.as_ref().unwrap().span), "3");
    let comments: Vec<&str> = file.comments.0.iter().map(|c| at(text, c.span)).collect();
    assert_eq!(comments, ["# c", "# d", "# e"]);
}

#[test]
fn crlf_and_bom_parse_like_lf() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/syntax/revision.rules"
    ))
    .unwrap();
    let crlf = format!("\u{FEFF}{}", text.replace('\n', "\r\n"));
    let (a, b) = (parse(&text).unwrap(), parse(&crlf).unwrap());
    assert_eq!(a, b);
    let texts = |f: &File| {
        f.comments
            .0
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&a), texts(&b));
}
