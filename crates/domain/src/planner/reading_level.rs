//! Flesch–Kincaid grade level, to keep patient texts at a 6th–8th grade reading level (AIMS:
//! materials at an appropriate reading level, reference bhi-planning.md §7.4 [V]).
//!
//! grade = 0.39 × words per sentence + 11.8 × syllables per word − 15.59 (Kincaid et al.,
//! 1975). Syllables are estimated by counting vowel groups and discounting common silent
//! endings: good enough to compare drafts, not a dictionary count.

/// The words of `text`: runs of letters (with inner apostrophes) or of digits. Hyphens and
/// slashes separate words.
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// Sentences end with `.`, `!` or `?` followed by a space or the end of the text.
pub fn sentence_count(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    for (i, c) in chars.iter().enumerate() {
        let ends = matches!(c, '.' | '!' | '?');
        let next = chars.get(i + 1);
        let boundary = next.is_none_or(|n| n.is_whitespace() || *n == '"' || *n == ')');
        let after_word = i > 0 && chars[i - 1].is_alphanumeric();
        if ends && boundary && after_word {
            count += 1;
        }
    }
    count
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Estimated syllables of one word. A number counts one syllable per digit ("988" is read
/// "nine eight eight").
pub fn syllables(word: &str) -> u32 {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if w.is_empty() {
        return word.chars().filter(char::is_ascii_digit).count().max(1) as u32;
    }
    if w.len() <= 3 {
        return 1;
    }
    let mut groups = 0u32;
    let mut in_group = false;
    for (i, c) in w.iter().enumerate() {
        // A leading y is a consonant ("you", "year").
        let vowel = is_vowel(*c) && !(i == 0 && *c == 'y');
        if vowel && !in_group {
            groups += 1;
        }
        in_group = vowel;
    }
    let n = w.len();
    let at = |k: usize| w[n - k];
    let silent = if at(1) == 'd' && at(2) == 'e' {
        // "asked", "called" but not "wanted", "needed"
        !matches!(at(3), 't' | 'd')
    } else if at(1) == 's' && at(2) == 'e' {
        // "makes", "times" but not "uses", "boxes", "changes", "places", "wishes"
        let sibilant = matches!(at(3), 's' | 'x' | 'z' | 'g' | 'c')
            || (at(3) == 'h' && matches!(at(4), 'c' | 's'));
        !sibilant
    } else if at(1) == 'e' {
        // "care", "phone" but not "agree", nor a syllabic "-le" as in "table"
        let syllabic_le = at(2) == 'l' && !is_vowel(at(3));
        !(is_vowel(at(2)) || syllabic_le)
    } else {
        false
    };
    if silent && groups > 1 {
        groups -= 1;
    }
    groups.max(1)
}

/// The grade level of `text`, or `None` when it has no words.
pub fn flesch_kincaid_grade(text: &str) -> Option<f64> {
    let words = words(text);
    if words.is_empty() {
        return None;
    }
    let sentences = sentence_count(text).max(1) as f64;
    let syllables: u32 = words.iter().map(|w| syllables(w)).sum();
    let n = words.len() as f64;
    Some(0.39 * (n / sentences) + 11.8 * (syllables as f64 / n) - 15.59)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn syllable_estimates() {
        let cases = [
            ("cat", 1),
            ("the", 1),
            ("table", 2),
            ("care", 1),
            ("phone", 1),
            ("agree", 2),
            ("asked", 1),
            ("wanted", 2),
            ("needed", 2),
            ("makes", 1),
            ("uses", 2),
            ("changes", 2),
            ("places", 2),
            ("wishes", 2),
            ("therapy", 3),
            ("medication", 4),
            ("telephone", 3),
            ("together", 3),
            ("manager", 3),
            ("year", 1),
            ("you're", 1),
            ("988", 3),
        ];
        for (word, n) in cases {
            assert_eq!(syllables(word), n, "{word}");
        }
    }

    #[test]
    fn words_and_sentences() {
        let t = "Call or text 988. A follow-up call (by phone/video) takes 15 minutes! Isn't that quick?";
        assert_eq!(words(t).len(), 17);
        assert_eq!(sentence_count(t), 3);
        // A decimal point is not a sentence end.
        assert_eq!(sentence_count("It is 1.5 miles away"), 0);
        assert_eq!(flesch_kincaid_grade(" ... "), None);
    }

    #[test]
    fn known_values() {
        // 6 one-syllable words, 1 sentence: 0.39 × 6 + 11.8 − 15.59.
        let g = flesch_kincaid_grade("The cat sat on the mat.").unwrap();
        assert!((g - (-1.45)).abs() < 1e-9, "{g}");
        // Longer sentences and words read harder.
        let hard = flesch_kincaid_grade(
            "Comprehensive collaborative management necessitates systematic measurement-based \
             evaluation of psychiatric symptomatology across longitudinal observations.",
        )
        .unwrap();
        assert!(hard > 20.0, "{hard}");
    }

    proptest! {
        /// The formula depends on ratios only: repeating a text does not change its grade.
        #[test]
        fn repeating_a_text_keeps_its_grade(
            sentence in proptest::collection::vec("[a-z]{1,12}", 1..20),
            times in 1usize..5,
        ) {
            let one = format!("{}.", sentence.join(" "));
            let many = vec![one.clone(); times].join(" ");
            let (a, b) = (flesch_kincaid_grade(&one).unwrap(), flesch_kincaid_grade(&many).unwrap());
            prop_assert!((a - b).abs() < 1e-9);
        }
    }
}
