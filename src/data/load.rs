//! Loading a folder of data files into a [`Dataset`] (SPEC §5).
//!
//! Consumes a checked [`Program`] (the entity schemas) and a folder holding one file
//! per entity, `<实体>.csv`, `<实体>.xlsx`, `<实体>.jsonl` or `<实体>.json`; produces the [`Dataset`],
//! or every problem found in every file. Tables are read in reference order (a table
//! after the tables it refers to), each row by row through [`TableReader`], so only key
//! maps stay in memory besides the records themselves. Entities that refer to each
//! other (or to themselves) are read last, together (module `deferred`).
//!
//! - A missing file is an error when a rule is for that entity, an aggregate reads it,
//!   or a field of an entity that is needed or has a file refers to it; otherwise its
//!   table is empty.
//! - Files whose name matches no entity are ignored and listed as [`DataNote`]s.
//! - With `skip_bad_records`, rows with errors are left out and listed in
//!   [`Loaded::skipped`], as are rows referring to a skipped row; file-level problems
//!   (header, syntax, encoding, missing files) still fail the load.

use super::encoding::Choice;
use super::err::{At, DataError, DataNote, LoadErrors, sort_errors};
use super::read::{BadRow, Format, KeyIndex, TableReader};
use super::{Dataset, Table, deferred};
use crate::lang::{Lang, Localize};
use crate::program::{EntityId, ExprKind, Program};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to read the files and treat bad rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Leave out rows with errors (listing them) instead of failing.
    pub skip_bad_records: bool,
    /// The encoding of CSV files (`--encoding`; by default detected).
    pub encoding: Choice,
}

/// The loaded records, and what was left out.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub dataset: Dataset,
    /// Rows left out under `skip_bad_records`, sorted by file then row.
    pub skipped: Vec<SkippedRow>,
    /// Files that were ignored, and the like.
    pub notes: Vec<DataNote>,
}

/// A row left out under `skip_bad_records`.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedRow {
    pub entity: EntityId,
    pub at: At,
    /// The row's key, when it could be read.
    pub key: Option<Arc<str>>,
    /// Why: every problem of the row (a reference to a skipped row says which).
    pub errors: Vec<DataError>,
}

/// One line per problem of each skipped row (`园区.csv:5: skipped: …`).
pub fn render_skipped(skipped: &[SkippedRow]) -> String {
    let mut out = String::new();
    for row in skipped {
        for e in &row.errors {
            out.push_str(&format!("skipped: {e}\n"));
        }
    }
    out
}

/// [`render_skipped`] in a language.
pub fn render_skipped_in(skipped: &[SkippedRow], lang: Lang) -> String {
    let word = lang.pick("skipped: ", "已跳过：");
    let mut out = String::new();
    for row in skipped {
        for e in &row.errors {
            out.push_str(&format!("{word}{}\n", e.text(lang)));
        }
    }
    out
}

/// A data file found for an entity.
#[derive(Clone, Debug)]
struct Found {
    path: PathBuf,
    name: Arc<str>,
    format: Format,
}

/// The data files of a folder, for reading tables one at a time with [`open_table`]
/// (streaming) instead of [`load_dir`].
#[derive(Clone, Debug, Default)]
pub struct DataFiles {
    /// Per entity (by `EntityId`): its file, if there is one.
    pub files: Vec<Option<PathBuf>>,
    /// Entities ordered so that each comes after those its fields refer to: read in
    /// this order, the key maps each table needs are ready.
    pub order: Vec<EntityId>,
    /// Entities referring to each other (or behind such): only [`load_dir`] reads them.
    pub cyclic: Vec<EntityId>,
    /// Files ignored.
    pub notes: Vec<DataNote>,
}

/// Find each entity's file in `dir`; errors for two files of one entity, unsupported
/// formats, and missing files that are needed (see the module doc).
pub fn find_data_files(program: &Program, dir: &Path) -> Result<DataFiles, LoadErrors> {
    let mut errors = Vec::new();
    let (found, notes) = discover(program, dir, &mut errors).map_err(|e| LoadErrors {
        errors: vec![e],
        notes: Vec::new(),
    })?;
    let needed = needed_entities(program, &found);
    for (i, (file, reason)) in found.iter().zip(&needed).enumerate() {
        if let (None, Some(reason)) = (file, reason) {
            let name = program.entity(EntityId(i)).map(|e| e.name.clone());
            errors.push(DataError::MissingFile {
                entity: name.unwrap_or_default(),
                reason: reason.clone(),
            });
        }
    }
    if !errors.is_empty() {
        sort_errors(&mut errors);
        return Err(LoadErrors { errors, notes });
    }
    let (order, cyclic) = reference_order(program);
    Ok(DataFiles {
        files: found.into_iter().map(|f| f.map(|f| f.path)).collect(),
        order,
        cyclic,
        notes,
    })
}

/// Load every entity's file from `dir`; see the module doc.
pub fn load_dir(program: &Program, dir: &Path, opts: &LoadOptions) -> Result<Loaded, LoadErrors> {
    let mut errors = Vec::new();
    let (found, notes) = match discover(program, dir, &mut errors) {
        Ok(x) => x,
        Err(e) => {
            return Err(LoadErrors {
                errors: vec![e],
                notes: Vec::new(),
            });
        }
    };
    let needed = needed_entities(program, &found);
    let (order, group) = reference_order(program);
    let n = program.entities.len();
    let mut st = State {
        program,
        found: &found,
        needed: &needed,
        keys: (0..n).map(|_| KeyIndex::empty(false)).collect(),
        tables: vec![Table::default(); n],
        bad_rows: Vec::new(),
        errors,
        notes,
        encoding: opts.encoding,
    };
    for entity in order {
        let index = st.load_one(entity);
        set(&mut st.keys, entity, index);
    }
    if !group.is_empty() {
        // Entities referring to each other: read all with deferred references first.
        for &entity in &group {
            set(&mut st.keys, entity, KeyIndex::deferred());
        }
        let indices: Vec<KeyIndex> = group.iter().map(|&e| st.load_one(e)).collect();
        for (&entity, index) in group.iter().zip(indices) {
            set(&mut st.keys, entity, index);
        }
        deferred::resolve(
            program,
            &group,
            &mut st.tables,
            &mut st.keys,
            &mut st.bad_rows,
        );
    }
    let State {
        tables,
        bad_rows,
        errors,
        notes,
        ..
    } = st;
    finish(tables, bad_rows, errors, notes, opts)
}

/// The tables read so far, and what was found.
struct State<'a> {
    program: &'a Program,
    found: &'a [Option<Found>],
    needed: &'a [Option<String>],
    keys: Vec<KeyIndex>,
    tables: Vec<Table>,
    bad_rows: Vec<(EntityId, BadRow)>,
    errors: Vec<DataError>,
    notes: Vec<DataNote>,
    encoding: Choice,
}

impl State<'_> {
    /// Read one entity's file into its table; its key map.
    fn load_one(&mut self, entity: EntityId) -> KeyIndex {
        let program = self.program;
        let Some(file) = self.found.get(entity.0).and_then(Option::as_ref) else {
            return match self.needed.get(entity.0).and_then(Option::as_ref) {
                Some(reason) => {
                    let name = program.entity(entity).map(|e| e.name.clone());
                    self.errors.push(DataError::MissingFile {
                        entity: name.unwrap_or_default(),
                        reason: reason.clone(),
                    });
                    KeyIndex::empty(false)
                }
                None => KeyIndex::empty(true),
            };
        };
        match load_table(program, entity, file, &self.keys, self.encoding) {
            Ok((table, index, bad, file_errors, notes)) => {
                set(&mut self.tables, entity, table);
                self.notes.extend(notes);
                self.bad_rows.extend(bad.into_iter().map(|b| (entity, b)));
                self.errors.extend(file_errors);
                index
            }
            Err(e) => {
                self.errors.push(e);
                KeyIndex::empty(false)
            }
        }
    }
}

fn set<T>(v: &mut [T], entity: EntityId, value: T) {
    if let Some(slot) = v.get_mut(entity.0) {
        *slot = value;
    }
}

/// Decide: the dataset with skipped rows listed, or every error.
fn finish(
    tables: Vec<Table>,
    bad_rows: Vec<(EntityId, BadRow)>,
    mut errors: Vec<DataError>,
    notes: Vec<DataNote>,
    opts: &LoadOptions,
) -> Result<Loaded, LoadErrors> {
    if !opts.skip_bad_records || !errors.is_empty() {
        let row_errors = bad_rows.iter().flat_map(|(_, b)| b.errors.iter());
        errors.extend(row_errors.filter(|e| !e.is_consequence()).cloned());
    }
    if !errors.is_empty() || (!opts.skip_bad_records && !bad_rows.is_empty()) {
        if errors.is_empty() {
            errors.extend(bad_rows.into_iter().flat_map(|(_, b)| b.errors));
        }
        sort_errors(&mut errors);
        return Err(LoadErrors { errors, notes });
    }
    let mut skipped: Vec<SkippedRow> = bad_rows
        .into_iter()
        .map(|(entity, b)| {
            let mut errors = b.errors;
            sort_errors(&mut errors);
            SkippedRow {
                entity,
                at: b.at,
                key: b.key.map(|k| Arc::from(k.as_str())),
                errors,
            }
        })
        .collect();
    skipped.sort_by(|a, b| (&a.at.file, a.at.row).cmp(&(&b.at.file, b.at.row)));
    Ok(Loaded {
        dataset: Dataset { tables },
        skipped,
        notes,
    })
}

/// Open one entity's file for row-by-row reading. `refs` holds one key map per entity,
/// filled in for the entities this one refers to (see [`TableReader`]). CSV files in
/// the encoding detected; see [`open_table_in`].
pub fn open_table<'a>(
    program: &'a Program,
    entity: EntityId,
    path: &Path,
    refs: &'a [KeyIndex],
) -> Result<TableReader<'a>, DataError> {
    open_table_in(program, entity, path, refs, Choice::Auto)
}

/// [`open_table`], CSV files in the encoding given.
pub fn open_table_in<'a>(
    program: &'a Program,
    entity: EntityId,
    path: &Path,
    refs: &'a [KeyIndex],
    encoding: Choice,
) -> Result<TableReader<'a>, DataError> {
    let name: Arc<str> = Arc::from(file_name(path).as_str());
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .ok_or_else(|| DataError::UnsupportedFormat {
            file: name.clone(),
            format: path
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })?;
    let input = std::fs::File::open(path).map_err(|e| DataError::Unreadable {
        file: name.clone(),
        message: e.to_string(),
    })?;
    TableReader::open(
        program,
        entity,
        Box::new(input),
        format,
        name,
        refs,
        encoding,
    )
}

type TableResult = (Table, KeyIndex, Vec<BadRow>, Vec<DataError>, Vec<DataNote>);

fn load_table(
    program: &Program,
    entity: EntityId,
    file: &Found,
    refs: &[KeyIndex],
    encoding: Choice,
) -> Result<TableResult, DataError> {
    let input = std::fs::File::open(&file.path).map_err(|e| DataError::Unreadable {
        file: file.name.clone(),
        message: e.to_string(),
    })?;
    let mut reader = TableReader::open(
        program,
        entity,
        Box::new(input),
        file.format,
        file.name.clone(),
        refs,
        encoding,
    )?;
    let mut table = Table {
        source: Some(file.path.clone()),
        records: Vec::new(),
    };
    let mut bad = Vec::new();
    for row in reader.by_ref() {
        match row {
            Ok(record) => table.records.push(record),
            Err(b) => bad.push(b),
        }
    }
    let (index, file_errors, notes) = reader.finish();
    Ok((table, index, bad, file_errors, notes))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The data file of each entity (by index), and notes on the files matching none.
fn discover(
    program: &Program,
    dir: &Path,
    errors: &mut Vec<DataError>,
) -> Result<(Vec<Option<Found>>, Vec<DataNote>), DataError> {
    let unreadable = |e: std::io::Error| DataError::Unreadable {
        file: Arc::from(dir.display().to_string().as_str()),
        message: e.to_string(),
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        if entry.path().is_file() {
            paths.push(entry.path());
        }
    }
    paths.sort();
    let mut found: Vec<Option<Found>> = vec![None; program.entities.len()];
    let mut notes = Vec::new();
    let entities: Vec<&str> = program.entities.iter().map(|e| e.name.as_str()).collect();
    for path in paths {
        let name = file_name(&path);
        if name.starts_with('.') {
            continue;
        }
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
        let Some(entity) = program.entity_by_name(stem) else {
            notes.push(DataNote::IgnoredFile {
                file: name.clone(),
                entities: entities.join(", "),
            });
            continue;
        };
        let Some(format) = Format::from_extension(ext) else {
            if matches!(
                ext.to_ascii_lowercase().as_str(),
                "xls" | "xlsm" | "xlsb" | "ods"
            ) {
                errors.push(DataError::UnsupportedFormat {
                    file: Arc::from(name.as_str()),
                    format: ext.to_string(),
                });
            } else {
                notes.push(DataNote::IgnoredFile {
                    file: name.clone(),
                    entities: entities.join(", "),
                });
            }
            continue;
        };
        match found.get_mut(entity.0) {
            Some(Some(first)) => errors.push(DataError::TwoFiles {
                entity: stem.to_string(),
                first: first.name.to_string(),
                second: name.clone(),
            }),
            Some(slot) => {
                *slot = Some(Found {
                    name: Arc::from(name.as_str()),
                    path,
                    format,
                })
            }
            None => {}
        }
    }
    Ok((found, notes))
}

/// Per entity: why its file is needed (`None`: an absent file means an empty table).
/// Needed: an entity a rule is for or an aggregate reads, and, transitively, every
/// entity that a needed entity or an entity with a file refers to.
fn needed_entities(program: &Program, found: &[Option<Found>]) -> Vec<Option<String>> {
    let mut needed: Vec<Option<String>> = vec![None; program.entities.len()];
    for rule in &program.rules {
        need(
            &mut needed,
            rule.entity,
            format!("rule {} is for it", rule.name),
        );
    }
    for e in aggregated(program) {
        need(&mut needed, e, "an aggregate reads it".to_string());
    }
    // Follow references until nothing changes (at most one round per entity).
    for _ in 0..=program.entities.len() {
        let mut changed = false;
        for (i, entity) in program.entities.iter().enumerate() {
            let has_file = found.get(i).is_some_and(Option::is_some);
            if !has_file && needed.get(i).is_none_or(Option::is_none) {
                continue;
            }
            for field in &entity.fields {
                if let Some(target) = field.ty.referenced_entity() {
                    let why = format!("{}.{} refers to it", entity.name, field.name);
                    changed |= need(&mut needed, target, why);
                }
            }
        }
        if !changed {
            break;
        }
    }
    needed
}

/// Mark an entity needed (the first reason stays); whether it was new.
fn need(needed: &mut [Option<String>], e: EntityId, why: String) -> bool {
    match needed.get_mut(e.0) {
        Some(slot @ None) => {
            *slot = Some(why);
            true
        }
        _ => false,
    }
}

/// The entities some `let` or rule aggregates over.
fn aggregated(program: &Program) -> Vec<EntityId> {
    let bodies = program
        .rules
        .iter()
        .flat_map(|r| std::iter::once(&r.body).chain(r.exceptions.iter().map(|x| &x.body)));
    let exprs = program
        .lets
        .iter()
        .map(|l| &l.value)
        .chain(bodies.flat_map(|b| b.exprs()));
    let mut out = Vec::new();
    for e in exprs {
        e.walk_while(&mut |x| {
            if let ExprKind::Aggregate { entity, .. } = &x.kind {
                out.push(*entity);
            }
            true
        });
    }
    out
}

/// Entities ordered so each comes after those its fields refer to (declaration order
/// otherwise), and the rest, in declaration order: those in or behind a cycle of
/// references, read together with deferred references.
fn reference_order(program: &Program) -> (Vec<EntityId>, Vec<EntityId>) {
    let deps: Vec<Vec<EntityId>> = program
        .entities
        .iter()
        .map(|e| {
            e.fields
                .iter()
                .filter_map(|f| f.ty.referenced_entity())
                .collect()
        })
        .collect();
    let mut done = vec![false; deps.len()];
    let mut order = Vec::new();
    loop {
        let next = deps.iter().enumerate().position(|(i, d)| {
            !done.get(i).copied().unwrap_or(true)
                && d.iter().all(|e| done.get(e.0).copied().unwrap_or(true))
        });
        let Some(i) = next else { break };
        set(&mut done, EntityId(i), true);
        order.push(EntityId(i));
    }
    let left = (0..deps.len())
        .filter(|i| !done.get(*i).copied().unwrap_or(true))
        .map(EntityId)
        .collect();
    (order, left)
}
