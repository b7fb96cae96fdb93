/* runbook: markdown runbooks with YAML front matter into kb records. */
#include "runbook.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "id.h"

const char *
runbook_severity(const char *s)
{
	static const struct { const char *in, *out; } map[] = {
		{ "critical", "HIGH" }, { "high", "HIGH" }, { "page", "HIGH" },
		{ "error", "HIGH" }, { "major", "HIGH" }, { "p1", "HIGH" },
		{ "warning", "MEDIUM" }, { "medium", "MEDIUM" },
		{ "warn", "MEDIUM" }, { "minor", "MEDIUM" }, { "p2", "MEDIUM" },
		{ "info", "LOW" }, { "low", "LOW" }, { "none", "LOW" },
		{ "informational", "LOW" }, { "p3", "LOW" },
	};

	if (!s)
		return NULL;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(s, map[i].in) == 0)
			return map[i].out;
	return NULL;
}

/*
 * Front matter into a JSON object: scalars as strings, sequences of
 * scalars as arrays; deeper structure is skipped.  -1 on a YAML error.
 */
static int
front_matter(const char *buf, size_t len, json_t *out, char *why,
    size_t whylen)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, rc = 0, done = 0;
	char *key = NULL;
	json_t *seq = NULL;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(why, whylen, "front matter: %s at line %zu",
			    p.problem ? p.problem : "YAML error",
			    p.problem_mark.line + 1);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			depth++;
			if (depth == 2 && key &&
			    ev.type == YAML_SEQUENCE_START_EVENT)
				seq = json_array();
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth == 2 && seq && key) {
				json_object_set_new(out, key, seq);
				seq = NULL;
			}
			if (depth == 2) {
				free(key);
				key = NULL;
			}
			depth--;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth == 1 && !key) {
				key = strdup(v);
			} else if (depth == 1) {
				json_object_set_new(out, key, json_string(v));
				free(key);
				key = NULL;
			} else if (depth == 2 && seq) {
				json_array_append_new(seq, json_string(v));
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	free(key);
	json_decref(seq);
	yaml_parser_delete(&p);
	return rc;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* Default id "kb:dir:Name" from "dir/Name.md", kept to the id alphabet. */
static void
path_id(const char *rel, char *id, size_t len)
{
	size_t j = 0;
	const char *dot = strrchr(rel, '.');

	j = (size_t)snprintf(id, len, "kb:");
	for (const char *c = rel; *c && j + 1 < len && j < ID_MAX; c++) {
		if (dot && c == dot && !strchr(dot, '/'))
			break;
		if (*c == '/')
			id[j++] = ':';
		else if (isalnum((unsigned char)*c) || strchr("._-", *c))
			id[j++] = *c;
		else
			id[j++] = '_';
	}
	id[j] = '\0';
}

static const char *section_names[] = { "meaning", "impact", "diagnosis",
	"mitigation", NULL };

json_t *
runbook_record(const char *buf, size_t len, const char *relpath, char *why,
    size_t whylen)
{
	json_t *fm = json_object(), *rec = NULL, *sections = json_object();
	const char *body = buf, *end = buf + len, *p;
	char *title = NULL, id[ID_MAX + 8];
	int cur = -1, heading_level = 0, in_fence = 0;
	const char *sec_start = NULL;

	/* Front matter: "---" on the first line, up to the next "---". */
	if (len >= 4 && strncmp(buf, "---", 3) == 0 &&
	    (buf[3] == '\n' || buf[3] == '\r')) {
		const char *fs = memchr(buf, '\n', len) + 1, *fe = NULL;
		for (p = fs; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if ((l == 3 || (l == 4 && p[3] == '\r')) &&
			    (strncmp(p, "---", 3) == 0 ||
			    strncmp(p, "...", 3) == 0)) {
				fe = p;
				body = nl ? nl + 1 : end;
				break;
			}
			p = nl ? nl + 1 : end;
		}
		if (!fe) {
			snprintf(why, whylen, "front matter is not closed");
			goto fail;
		}
		if (front_matter(fs, (size_t)(fe - fs), fm, why, whylen) < 0)
			goto fail;
	}

	/* Walk the headings; a section runs to the next heading at its
	 * level or above. */
	for (p = body; p <= end;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) :
		    NULL;
		const char *le = nl ? nl : end;
		int level = 0;
		/* "# comment" inside a fenced shell block is no heading. */
		if (le - p >= 3 && (strncmp(p, "```", 3) == 0 ||
		    strncmp(p, "~~~", 3) == 0))
			in_fence = !in_fence;
		while (!in_fence && p + level < le && p[level] == '#')
			level++;
		if (p == end || (level > 0 && level <= 6 && p + level < le &&
		    p[level] == ' ')) {
			if (cur >= 0 && (p == end || level <= heading_level)) {
				char *t = trimmed(sec_start,
				    (size_t)(p - sec_start));
				json_object_set_new(sections,
				    section_names[cur], json_string(t));
				free(t);
				cur = -1;
			}
			if (p == end)
				break;
			char *h = trimmed(p + level, (size_t)(le - p - level));
			if (level == 1 && !title)
				title = strdup(h);
			for (int i = 0; section_names[i] && cur < 0; i++)
				if (strcasecmp(h, section_names[i]) == 0 &&
				    !json_object_get(sections,
				    section_names[i])) {
					cur = i;
					heading_level = level;
					sec_start = nl ? nl + 1 : end;
				}
			free(h);
		}
		if (!nl) {
			p = end;
			continue;
		}
		p = nl + 1;
	}

	rec = json_object();
	const char *fid = json_string_value(json_object_get(fm, "id"));
	if (fid && id_valid(fid))
		snprintf(id, sizeof id, "%s", fid);
	else
		path_id(relpath, id, sizeof id);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "kind", json_string("kb"));
	const char *ft = json_string_value(json_object_get(fm, "title"));
	if (ft || title)
		json_object_set_new(rec, "title", json_string(ft ? ft : title));
	const char *sev = runbook_severity(json_string_value(
	    json_object_get(fm, "severity")));
	if (sev)
		json_object_set_new(rec, "severity", json_string(sev));
	json_t *tags = json_object_get(fm, "tags");
	if (json_is_array(tags))
		json_object_set(rec, "tags", tags);
	else if (json_is_string(tags))
		json_object_set_new(rec, "tags", json_pack("[O]", tags));

	const char *mean = json_string_value(json_object_get(sections,
	    "meaning"));
	const char *imp = json_string_value(json_object_get(sections,
	    "impact"));
	if (mean || imp) {
		size_t n = (mean ? strlen(mean) : 0) + (imp ? strlen(imp) : 0)
		    + 3;
		char *d = malloc(n);
		if (!d)
			goto fail;
		snprintf(d, n, "%s%s%s", mean ? mean : "",
		    mean && imp ? "\n\n" : "", imp ? imp : "");
		json_object_set_new(rec, "description", json_string(d));
		free(d);
	} else {
		char *d = trimmed(body, (size_t)(end - body));
		json_object_set_new(rec, "description", json_string(d));
		free(d);
	}
	const char *mit = json_string_value(json_object_get(sections,
	    "mitigation"));
	if (mit)
		json_object_set_new(rec, "resolution", json_string(mit));
	json_object_set_new(rec, "source", json_string(relpath));
	if (json_object_size(sections))
		json_object_set(rec, "sections", sections);
	json_object_del(fm, "id");
	json_object_del(fm, "title");
	json_object_del(fm, "tags");
	if (json_object_size(fm))
		json_object_set_new(rec, "metadata", json_pack("{s:O}",
		    "front_matter", fm));
fail:
	free(title);
	json_decref(fm);
	json_decref(sections);
	return rec;
}
