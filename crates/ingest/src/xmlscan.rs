//! A streaming pass over an XML part, in constant memory, before any parser builds from it:
//! the longest token (a tag with its attributes, a run of text, a comment, a CDATA section),
//! the nesting depth, the number of elements, the entries of a shared-string table and the
//! count that table declares. quick-xml reads one whole token into memory and calamine keeps
//! one entry per element of the parts it reads whole, so these bound what reading may hold.

use crate::limits::{Exceeded, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// After `<`, until the token's kind is known.
    Open,
    /// A start or end tag, until a `>` outside quotes (attribute values may hold `>`).
    Tag {
        end: bool,
        quote: Option<u8>,
    },
    /// `<!-- … -->`, `<![CDATA[ … ]]>`, `<? … ?>` or `<!DOCTYPE …>`: until its terminator.
    Special(Special),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    /// `<!` whose kind is not decided yet.
    Bang,
    Comment,
    CData,
    Pi,
    /// `<!DOCTYPE …>` and other declarations, with `[ … ]` internal subsets.
    Decl {
        brackets: u32,
    },
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlStats {
    pub bytes: u64,
    pub elements: u64,
    /// Elements whose local name is `si` (shared-string entries).
    pub shared_strings: u64,
    /// The largest `uniqueCount` any `sst` element declares.
    pub declared_unique: Option<u64>,
}

/// How much of a start tag is kept to read its name and a count attribute.
const TAG_HEAD: usize = 4096;

pub struct XmlScanner<'l> {
    limits: &'l Limits,
    place: String,
    state: State,
    /// Bytes of the current token so far.
    token: u64,
    depth: u64,
    /// The start of the current tag (name and attributes), at most `TAG_HEAD` bytes.
    head: Vec<u8>,
    /// The last bytes seen inside a special token, to find its terminator.
    tail: [u8; 8],
    stats: XmlStats,
}

impl<'l> XmlScanner<'l> {
    pub fn new(place: impl Into<String>, limits: &'l Limits) -> Self {
        XmlScanner {
            limits,
            place: place.into(),
            state: State::Text,
            token: 0,
            depth: 0,
            head: Vec::with_capacity(TAG_HEAD),
            tail: [0; 8],
            stats: XmlStats::default(),
        }
    }

    fn too_long(&self) -> Exceeded {
        Exceeded::new(
            self.place.clone(),
            "max_xml_token_bytes",
            self.limits.max_xml_token_bytes,
        )
    }

    fn push_tail(&mut self, b: u8) {
        self.tail.copy_within(1.., 0);
        self.tail[7] = b;
    }

    fn tail_ends(&self, s: &[u8]) -> bool {
        self.tail.ends_with(s)
    }

    /// Feeds the next bytes of the part.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Exceeded> {
        self.stats.bytes += bytes.len() as u64;
        for &b in bytes {
            self.token += 1;
            if self.token > self.limits.max_xml_token_bytes {
                return Err(self.too_long());
            }
            match self.state {
                State::Text => {
                    if b == b'<' {
                        self.state = State::Open;
                        self.token = 1;
                        self.head.clear();
                    }
                }
                State::Open => match b {
                    b'/' => {
                        self.state = State::Tag {
                            end: true,
                            quote: None,
                        }
                    }
                    b'!' => {
                        self.state = State::Special(Special::Bang);
                        self.tail = [0; 8];
                        self.push_tail(b'!');
                    }
                    b'?' => {
                        self.state = State::Special(Special::Pi);
                        self.tail = [0; 8];
                    }
                    b'>' => self.text(),
                    _ => {
                        self.state = State::Tag {
                            end: false,
                            quote: None,
                        };
                        self.head.push(b);
                    }
                },
                State::Tag { end, quote } => {
                    if let Some(q) = quote {
                        if b == q {
                            self.state = State::Tag { end, quote: None };
                        }
                    } else if b == b'"' || b == b'\'' {
                        self.state = State::Tag {
                            end,
                            quote: Some(b),
                        };
                    }
                    if quote.is_none() && b == b'>' {
                        if end {
                            self.depth = self.depth.saturating_sub(1);
                        } else {
                            self.start_tag()?;
                        }
                        self.text();
                    } else if !end && self.head.len() < TAG_HEAD {
                        self.head.push(b);
                    }
                }
                State::Special(kind) => {
                    self.push_tail(b);
                    match kind {
                        Special::Bang => {
                            if self.tail_ends(b"!--") {
                                self.state = State::Special(Special::Comment);
                                self.tail = [0; 8];
                            } else if self.tail_ends(b"![CDATA[") {
                                self.state = State::Special(Special::CData);
                                self.tail = [0; 8];
                            } else if !b"[CDAT-".contains(&b) || self.token > 9 {
                                self.state = State::Special(Special::Decl { brackets: 0 });
                                self.decl_byte(b, 0);
                            }
                        }
                        Special::Comment if self.tail_ends(b"-->") => self.text(),
                        Special::CData if self.tail_ends(b"]]>") => self.text(),
                        Special::Pi if self.tail_ends(b"?>") => self.text(),
                        Special::Decl { brackets } => self.decl_byte(b, brackets),
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    fn decl_byte(&mut self, b: u8, brackets: u32) {
        match b {
            b'[' => {
                self.state = State::Special(Special::Decl {
                    brackets: brackets + 1,
                })
            }
            b']' => {
                self.state = State::Special(Special::Decl {
                    brackets: brackets.saturating_sub(1),
                })
            }
            b'>' if brackets == 0 => self.text(),
            _ => {}
        }
    }

    /// Back to text after a token.
    fn text(&mut self) {
        self.state = State::Text;
        self.token = 0;
    }

    fn start_tag(&mut self) -> Result<(), Exceeded> {
        self.stats.elements += 1;
        let empty = self.head.last() == Some(&b'/');
        if !empty {
            self.depth += 1;
            if self.depth > self.limits.max_xml_depth {
                return Err(Exceeded::new(
                    self.place.clone(),
                    "max_xml_depth",
                    self.limits.max_xml_depth,
                ));
            }
        }
        let name_end = self
            .head
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'/')
            .unwrap_or(self.head.len());
        let name = &self.head[..name_end];
        let local = name.rsplit(|c| *c == b':').next().unwrap_or(name);
        match local {
            b"si" => self.stats.shared_strings += 1,
            b"sst" => {
                if self.head.len() >= TAG_HEAD {
                    // The count could hide past what was kept: treat it as unbounded.
                    self.stats.declared_unique = Some(u64::MAX);
                } else if let Some(n) = attribute_count(&self.head[name_end..], b"uniqueCount") {
                    let prev = self.stats.declared_unique.unwrap_or(0);
                    self.stats.declared_unique = Some(prev.max(n));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The counts, once the whole part was fed.
    pub fn finish(self) -> XmlStats {
        self.stats
    }
}

/// The number an attribute holds (`uniqueCount="123"`), saturating; `None` when absent or
/// not a number. Reads as calamine does: the raw value's leading digits.
fn attribute_count(attrs: &[u8], name: &[u8]) -> Option<u64> {
    let mut at = 0;
    while let Some(off) = find(&attrs[at..], name) {
        let start = at + off;
        at = start + name.len();
        let before_ok = start == 0 || attrs[start - 1].is_ascii_whitespace();
        let rest = &attrs[at..];
        let rest = trim_start(rest);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = trim_start(rest);
        let Some((&quote, value)) = rest.split_first() else {
            continue;
        };
        if !before_ok || (quote != b'"' && quote != b'\'') {
            continue;
        }
        let value = value.strip_prefix(b"+").unwrap_or(value);
        let digits: Vec<u8> = value
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            return None;
        }
        let n = digits.iter().fold(0u64, |acc, d| {
            acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        return Some(n);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

/// Scans a whole part read from `r`, in pieces.
pub fn scan(
    r: &mut impl std::io::Read,
    place: &str,
    limits: &Limits,
) -> Result<XmlStats, ScanError> {
    let mut scanner = XmlScanner::new(place, limits);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ScanError::Read(e)),
        };
        scanner.feed(&buf[..n]).map_err(ScanError::Limit)?;
    }
    Ok(scanner.finish())
}

#[derive(Debug)]
pub enum ScanError {
    Limit(Exceeded),
    Read(std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(xml: &str, limits: &Limits) -> Result<XmlStats, Exceeded> {
        let mut s = XmlScanner::new("part", limits);
        // Fed in small pieces: tokens cross the pieces' borders.
        for piece in xml.as_bytes().chunks(3) {
            s.feed(piece)?;
        }
        Ok(s.finish())
    }

    #[test]
    fn elements_shared_strings_and_the_declared_count_are_found() {
        let l = Limits::default();
        let xml = r#"<?xml version="1.0"?><!-- a < b --><x:sst xmlns:x="u" count="3" uniqueCount = '2'><x:si><x:t>a&lt;b</x:t></x:si><si><t><![CDATA[<si>]]></t></si><si/></x:sst>"#;
        let s = stats(xml, &l).unwrap();
        assert_eq!(s.shared_strings, 3, "the CDATA's <si> is text");
        assert_eq!(s.elements, 6, "sst, si, t, si, t and the empty si");
        assert_eq!(s.declared_unique, Some(2));
        let huge = r#"<sst uniqueCount="99999999999999999999999">"#;
        assert_eq!(stats(huge, &l).unwrap().declared_unique, Some(u64::MAX));
    }

    #[test]
    fn a_long_token_or_deep_nesting_is_refused_wherever_it_hides() {
        let l = Limits {
            max_xml_token_bytes: 64,
            max_xml_depth: 3,
            ..Limits::default()
        };
        assert!(stats("<a><b>short</b></a>", &l).is_ok());
        let long_text = format!("<a>{}</a>", "x".repeat(65));
        assert_eq!(
            stats(&long_text, &l).unwrap_err().limit,
            "max_xml_token_bytes"
        );
        let long_attr = format!("<a b=\"{}\"/>", "x".repeat(65));
        let quoted_gt = format!("<a b=\"{}\"/>", "x>".repeat(40));
        assert_eq!(
            stats(&quoted_gt, &l).unwrap_err().limit,
            "max_xml_token_bytes"
        );
        assert_eq!(
            stats(&long_attr, &l).unwrap_err().limit,
            "max_xml_token_bytes"
        );
        let in_cdata = format!("<a><![CDATA[{}]]></a>", "<x>".repeat(30));
        assert_eq!(
            stats(&in_cdata, &l).unwrap_err().limit,
            "max_xml_token_bytes"
        );
        let in_comment = format!("<!--{}-->", "<b>".repeat(30));
        assert_eq!(
            stats(&in_comment, &l).unwrap_err().limit,
            "max_xml_token_bytes"
        );
        assert_eq!(stats("<a><b><c><d/></c></b></a>", &l).unwrap().elements, 4);
        assert_eq!(
            stats("<a><b><c><d></d></c></b></a>", &l).unwrap_err().limit,
            "max_xml_depth"
        );
    }
}
