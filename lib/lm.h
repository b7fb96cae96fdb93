/*
 * lm: n-gram language models of our own text, for speech recognition.
 *
 * A generic English model spreads its probability over all of English;
 * incident reports use a few thousand words (replication, failover,
 * kubelet) in a few hundred turns of phrase.  This module turns prose (the
 * knowledge base's runbooks, past incidents) into a trigram model in the
 * ARPA format that pocketsphinx and every other decoder read, and a
 * pronunciation dictionary holding exactly the model's words.
 *
 * Text is read as a person would say it: markdown code blocks, inline
 * code and URLs are not speech (they become <unk>, so that the words
 * around them do not become neighbours), numbers are spelled out ("90%"
 * is "ninety percent"), each line and each sentence is one utterance.
 *
 * Estimation: interpolated Kneser-Ney or Witten-Bell (Chen & Goodman
 * 1998, §2.5 and §2.7).  Witten-Bell:
 *   p(w|h) = (c(h w) + T(h) p(w|h')) / (c(h) + T(h))
 * with c(h) the count of the context, T(h) the number of distinct words
 * seen after it and h' the context shortened by one word.  Kneser-Ney
 * takes a discount D = n1 / (n1 + 2 n2) off every count (n1, n2: how many
 * n-grams of the order were seen once, twice) and gives it to the shorter
 * context,
 *   p(w|h) = (c(h w) - D + D T(h) p(w|h')) / c(h),
 * where below the top order c counts the distinct words seen before the
 * n-gram rather than its occurrences (a word frequent after one word
 * only is a poor guess after others); n-grams opening a sentence keep
 * their counts.  On held-out incident reports Kneser-Ney hears a few per
 * cent more words right (bench/stt).  Unigrams interpolate with the
 * uniform distribution, and are mixed with the unigrams of common English
 * when lm_build() is given some.  In ARPA terms an n-gram seen in training
 * is written with its interpolated probability and a context's backoff
 * weight is what it leaves to the shorter context (T / (c + T), or
 * D T / c): so the file gives every word exactly the interpolated
 * probability, and for every context the probabilities sum to one.
 *
 * Words the pronunciation dictionary lacks: a plural of a dictionary word
 * ("timeouts") takes the stem's pronunciation and the ending that follows
 * its last sound, and so do a possessive ("provider's") and a past
 * ("versioned", "queued"); "-ing" adds its syllable; the prefixes re-,
 * un- and de- go before a common word ("reindex", "unmount"); a compound of two common words ("failover",
 * "healthcheck") is given the two pronunciations one after the other; a
 * word of at most four letters is taken for an acronym and spelled ("ntp"
 * as N, T, P); any other word becomes <unk>, and lm_build() lists it.
 */
#ifndef INC_LM_H
#define INC_LM_H

#include <stdio.h>
#include <stddef.h>

struct lm_text;
struct lm_dict;

/* Collecting text. */

struct lm_text *lm_text_new(void);	/* NULL on ENOMEM */
void lm_text_free(struct lm_text *t);

/*
 * Add prose (markdown or plain text; front matter other than the title is
 * skipped).  Returns 0 or -1 (out of memory).
 */
int lm_text_add(struct lm_text *t, const char *text, size_t len);

/*
 * The words of text as lm_text_add() reads them, lower case, separated by
 * single spaces, sentences by newlines; malloc'd.  For measuring word
 * error rates against the same normalisation the model was trained on.
 */
char *lm_normalize(const char *text, size_t len);

/* Pronunciations. */

/*
 * Load a CMU-style dictionary ("word PH PH ...", alternates as
 * "word(2) ...", # comments).  NULL with the reason in err.
 */
struct lm_dict *lm_dict_load(const char *path, char *err, size_t errlen);
void lm_dict_free(struct lm_dict *d);

/*
 * Add the pronunciations of another file of the same format (words of
 * one's own trade): a word both files have gets both.  0, or -1 with the
 * reason in err.
 */
int lm_dict_add(struct lm_dict *d, const char *path, char *err,
    size_t errlen);

/*
 * Mark word as common English with probability p (from a general model's
 * unigrams): lm_build() lets the model fall back on such words, and only
 * compounds of them are taken for compounds.  -1 when the dictionary lacks
 * the word.
 */
int lm_dict_common(struct lm_dict *d, const char *word, double p);

/* Building. */

struct lm_report {
	size_t sentences, tokens;	/* utterances and words read */
	size_t vocab;		/* words in the model, <s> </s> <unk> too */
	size_t known, plural, derived, joined, spelled, dropped; /* types */
	size_t background;		/* common words the text lacks */
	size_t dropped_tokens;		/* occurrences turned into <unk> */
	size_t ngrams[3];		/* unigrams, bigrams, trigrams */
};

/*
 * Write the trigram model of t, estimated with smoothing, to arpa, its
 * unigrams mixed with weight bg_weight with the common words of d
 * (lm_dict_common()), which join the vocabulary; the pronunciation of each of its words to dic (pocketsphinx's
 * format); and, when oov is not NULL, one line per word not in the
 * dictionary saying what became of it ("plural", "derived", "joined",
 * "spelled", "dropped") with its count.  Returns 0, or -1 with the reason in err (no
 * words at all, out of memory, a write failed).
 */
enum lm_smoothing { LM_WITTEN_BELL, LM_KNESER_NEY };

int lm_build(struct lm_text *t, const struct lm_dict *d,
    enum lm_smoothing smoothing, double bg_weight, FILE *arpa, FILE *dic,
    FILE *oov, struct lm_report *rep, char *err, size_t errlen);

#endif
