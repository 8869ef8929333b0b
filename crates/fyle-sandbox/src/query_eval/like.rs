//! The LIKE matcher: `%` (or `*`) any run, `_` one character, `\` escapes.

use fyle_models::query::Literal;
use serde_json::Value;

/// `Some(matched)`, or `None` for null (which neither matches nor fails to match).
pub(super) fn like(value: &Value, lit: &Literal, case_insensitive: bool) -> Option<bool> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(if case_insensitive {
        Pattern::new(&lit.as_str().to_lowercase()).matches(&text.to_lowercase())
    } else {
        Pattern::new(lit.as_str()).matches(&text)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `%` or `*`: any run of characters.
    AnyRun,
    /// `_`: exactly one character.
    AnyOne,
    /// A literal character.
    Char(char),
}

/// A LIKE pattern.
struct Pattern(Vec<Token>);

impl Pattern {
    fn new(pattern: &str) -> Pattern {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '%' | '*' => Token::AnyRun,
                '_' => Token::AnyOne,
                '\\' => Token::Char(chars.next().unwrap_or('\\')),
                c => Token::Char(c),
            });
        }
        Pattern(tokens)
    }

    /// Wildcard matching with single-star backtracking: O(pattern x text) at worst.
    fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let pat = &self.0;
        let (mut p, mut t) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pat.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Token::AnyOne) => {
                    p += 1;
                    t += 1;
                }
                Some(Token::Char(c)) if *c == text[t] => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        pat[p.min(pat.len())..].iter().all(|t| *t == Token::AnyRun)
    }
}
