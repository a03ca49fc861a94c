//! The language of messages: English or Chinese.
//!
//! Diagnostics, data errors, the human report formats (text, markdown, html, explain,
//! coverage, test runs) and CLI help come in both; machine formats (json, jsonl, csv,
//! snapshot) do not depend on it. The CLI picks it with `--lang en|zh`, or else from
//! the locale ([`Lang::from_locale`]). Each message family has its Chinese text in one
//! exhaustive `match` beside the English, through [`Localize`]: a new message without
//! a translation does not compile.

use std::borrow::Cow;

/// A language messages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`, as `--lang` takes it.
    pub fn from_name(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language of a POSIX locale given `LC_ALL`, `LC_MESSAGES` and `LANG` (in
    /// that order of precedence; an unset or empty variable gives way to the next):
    /// Chinese when the first that is set starts with `zh` (`zh_CN.UTF-8`), else
    /// English.
    ///
    /// ```
    /// use parkrules::lang::Lang;
    /// assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
    /// assert_eq!(Lang::from_locale(Some("C"), None, Some("zh_CN.UTF-8")), Lang::En);
    /// assert_eq!(Lang::from_locale(Some(""), Some("zh_TW"), None), Lang::Zh);
    /// ```
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty());
        match chosen {
            Some(v) if v.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// Pick the English or the Chinese text.
    pub fn pick<T>(self, en: T, zh: T) -> T {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// A message in either language: the English is the type's `Display` (and, for a
/// diagnostic, its miette labels and help); the Chinese is [`Localize::zh`].
pub trait Localize {
    /// The Chinese text.
    fn zh(&self) -> Cow<'_, str>;

    /// The text in `lang`.
    fn text(&self, lang: Lang) -> Cow<'_, str>
    where
        Self: std::fmt::Display,
    {
        match lang {
            Lang::En => Cow::Owned(self.to_string()),
            Lang::Zh => self.zh(),
        }
    }
}

/// The Chinese of a diagnostic: its message, its labels in the order miette lists
/// them, and its help.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZhDiag {
    pub message: String,
    pub labels: Vec<String>,
    pub help: Option<String>,
}

impl ZhDiag {
    /// A message with one label.
    pub fn new(message: impl Into<String>, label: impl Into<String>) -> ZhDiag {
        ZhDiag {
            message: message.into(),
            labels: vec![label.into()],
            help: None,
        }
    }

    /// A message without labels (a diagnostic about no span).
    pub fn bare(message: impl Into<String>) -> ZhDiag {
        ZhDiag {
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> ZhDiag {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> ZhDiag {
        self.help = help;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> ZhDiag {
        self.labels.push(label.into());
        self
    }
}

/// [`ZhDiag::new`] as a plain function (`use crate::lang::zd as z` in a `match`).
pub fn zd(message: impl Into<String>, label: impl Into<String>) -> ZhDiag {
    ZhDiag::new(message, label)
}

/// A diagnostic that can speak Chinese: every error type wrapped in a
/// [`crate::diagnostic::Diag`].
pub trait LocalizeDiag {
    fn zh_diag(&self) -> ZhDiag;
}

/// Chinese of an optional hint.
pub fn zh_opt<T: Localize>(h: &Option<T>) -> Option<String> {
    h.as_ref().map(|h| h.zh().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_precedence_is_lc_all_then_lc_messages_then_lang() {
        let zh = Some("zh_CN.UTF-8");
        let en = Some("en_US.UTF-8");
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale(None, None, zh), Lang::Zh);
        assert_eq!(Lang::from_locale(None, en, zh), Lang::En);
        assert_eq!(Lang::from_locale(zh, en, None), Lang::Zh);
        assert_eq!(Lang::from_locale(en, zh, zh), Lang::En);
        assert_eq!(Lang::from_locale(Some(""), Some(""), zh), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("C.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None, None, Some("zh")), Lang::Zh);
    }

    #[test]
    fn names_round_trip() {
        for l in [Lang::En, Lang::Zh] {
            assert_eq!(Lang::from_name(l.name()), Some(l));
        }
        assert_eq!(Lang::from_name("fr"), None);
    }
}
