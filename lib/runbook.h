/*
 * runbook: a knowledge-base document from markdown (DESIGN §4).
 *
 * A runbook may open with YAML front matter between "---" lines (id,
 * title, severity, tags; parsed with libyaml, as YAML has too many corners
 * to parse by hand) and is read for the sections Meaning, Impact,
 * Diagnosis and Mitigation.  The record is kind "kb": description is
 * Meaning and Impact (what the runbook is about, the text worth
 * embedding), resolution is Mitigation, and all sections are kept in
 * `sections`.  Without front matter the id comes from the file's path and
 * the title from the first "# " heading.
 */
#ifndef INC_RUNBOOK_H
#define INC_RUNBOOK_H

#include <stddef.h>
#include <jansson.h>

/*
 * Parse buf, the content of the runbook at relpath (used for the default
 * id: "kb:dir:Name" for "dir/Name.md").  Returns a new record (without
 * inc-ingest's own keys) or NULL with a reason in why.
 */
json_t *runbook_record(const char *buf, size_t len, const char *relpath,
    char *why, size_t whylen);

/* "critical" -> "HIGH", "warning" -> "MEDIUM", "info" -> "LOW"; else NULL */
const char *runbook_severity(const char *s);

#endif
