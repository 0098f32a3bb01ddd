//! Whisper's vocabulary as raw bytes.
//!
//! CTranslate2's `vocabulary.txt` writes each token in GPT-2's printable
//! byte-to-unicode form (a space is `Ġ`, a newline `Ċ`); whisper.cpp wants the
//! raw bytes. The mapping is GPT-2's: printable Latin-1 bytes map to
//! themselves, the other 68 bytes to U+0100 onwards, in byte order.

use std::collections::HashMap;

fn is_printable_as_itself(byte: u8) -> bool {
    matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

fn unicode_to_byte() -> HashMap<char, u8> {
    let mut next = 0u32;
    (0..=255u8)
        .map(|byte| {
            let ch = if is_printable_as_itself(byte) {
                char::from(byte)
            } else {
                next += 1;
                char::from_u32(255 + next).expect("U+0100..U+0144 are chars")
            };
            (ch, byte)
        })
        .collect()
}

/// Turns the first `count` lines of `vocabulary.txt` back into token bytes.
/// Returns the 1-based line of the first token that is not in GPT-2's
/// alphabet, or of the end of the file when it has fewer lines than `count`.
pub fn decode_tokens(vocabulary: &str, count: usize) -> Result<Vec<Vec<u8>>, usize> {
    let map = unicode_to_byte();
    let mut lines = vocabulary.split('\n');
    (0..count)
        .map(|i| {
            let line = lines.next().ok_or(i + 1)?;
            line.chars()
                .map(|ch| map.get(&ch).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or(i + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tokens_decode_to_their_bytes() {
        let vocabulary = "!\nĠthe\nĊ\nĠÃ©t\nhello";
        let tokens = decode_tokens(vocabulary, 5).unwrap();
        assert_eq!(tokens[0], b"!");
        assert_eq!(tokens[1], b" the");
        assert_eq!(tokens[2], b"\n");
        assert_eq!(tokens[3], " \u{e9}t".as_bytes());
        assert_eq!(tokens[4], b"hello");
    }

    #[test]
    fn all_256_bytes_have_one_character() {
        let map = unicode_to_byte();
        assert_eq!(map.len(), 256);
        assert_eq!(map[&'Ġ'], b' ');
        assert_eq!(map[&'Ā'], 0);
    }

    #[test]
    fn short_or_foreign_vocabularies_name_the_line() {
        assert_eq!(decode_tokens("a\nb", 3), Err(3));
        assert_eq!(decode_tokens("a\n\u{4e00}", 2), Err(2));
    }
}
