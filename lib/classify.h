/*
 * classify: the offline parts of deciding an incident's severity, for
 * inc-classify.  The RAG route reads it from close knowledge-base matches;
 * the rules route from an ordered file of patterns and from the signals
 * senders put in metadata; and the LLM route's question and answer are
 * built and checked here (the HTTP round trip is the command's).
 */
#ifndef INC_CLASSIFY_H
#define INC_CLASSIFY_H

#include <stddef.h>
#include <jansson.h>

enum severity { SEV_NONE = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH };

/* "LOW" ... or NULL; and back (any case; NONE when unknown). */
const char *classify_sev_name(enum severity s);
enum severity classify_sev_parse(const char *s);

/*
 * RAG: among the matches scoring at least threshold that carry a
 * severity, the severity with the largest summed score wins (a tie goes
 * to the more severe); confidence is the best score; suggestions are the
 * deciding document's resolution as steps.  Returns a new classification
 * object {severity, confidence, method "rag", suggestions, document}, or
 * NULL when no match is close enough.
 */
json_t *classify_rag(const json_t *rec, double threshold);

struct classify_rules;

/*
 * Load a rules file: "SEVERITY CONFIDENCE REGEX" lines, '#' comments;
 * POSIX extended regular expressions, matched without regard to case.
 * NULL with a reason (file and line) on error.
 */
struct classify_rules *classify_rules_load(const char *path, char *why,
    size_t whylen);
void classify_rules_free(struct classify_rules *r);

/*
 * Rules: the first line whose pattern matches title and description, then
 * the metadata signals (an alert's severity label; a production
 * environment; affected_users).  A new classification object {severity,
 * confidence, method "rules", suggestions [], reason}.
 */
json_t *classify_rules(const struct classify_rules *r, const json_t *rec);

/* The JSON schema of an LLM's answer (new reference). */
json_t *classify_schema(void);

/* The user message for the LLM: the incident and its top matches. */
char *classify_prompt(const json_t *rec, int max_matches);

/*
 * Check an LLM's answer text (choices[0].message.content) against the
 * schema.  A new object {severity, confidence, summary, suggestions}, or
 * NULL with the reason.
 */
json_t *classify_answer(const char *content, char *why, size_t whylen);

/* A resolution or mitigation as steps: numbered or bulleted lines, else
 * sentences.  New array of strings. */
json_t *classify_steps(const char *text);

#endif
