/*
 * lm: text is read as it would be spoken, words the dictionary lacks are
 * joined, spelled or left out, and the ARPA model is a distribution: for
 * every context, the probabilities of all words, backoff included, sum to
 * one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lm.h"
#include "unit.h"

#define MAXW 64
#define MAXN 512

/* The ARPA file read back: n-grams as "w1 w2 w3" strings. */
struct arpa {
	char *gram[3][MAXN];
	double p[3][MAXN], bow[3][MAXN];
	int n[3];
};

static int
find(const struct arpa *a, int o, const char *g)
{
	for (int i = 0; i < a->n[o]; i++)
		if (strcmp(a->gram[o][i], g) == 0)
			return i;
	return -1;
}

static void
read_arpa(FILE *f, struct arpa *a)
{
	char line[512];
	int o = -1;

	memset(a, 0, sizeof *a);
	while (fgets(line, sizeof line, f)) {
		char *t1, *t2, *t3;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "\\%d-grams:", &o) == 1) {
			o--;
			continue;
		}
		if (o < 0 || !line[0] || line[0] == '\\')
			continue;
		t1 = strtok(line, "\t");
		t2 = strtok(NULL, "\t");
		t3 = strtok(NULL, "\t");
		if (!t1 || !t2 || a->n[o] == MAXN)
			continue;
		a->p[o][a->n[o]] = pow(10, atof(t1));
		a->bow[o][a->n[o]] = t3 ? pow(10, atof(t3)) : 1;
		a->gram[o][a->n[o]++] = strdup(t2);
	}
}

static void
free_arpa(struct arpa *a)
{
	for (int o = 0; o < 3; o++)
		for (int i = 0; i < a->n[o]; i++)
			free(a->gram[o][i]);
}

/* p(w | h) by the backoff rule, h being "" or "v" or "u v". */
static double
prob(const struct arpa *a, const char *h, const char *w)
{
	char g[256], shorter[256];
	const char *sp = strchr(h, ' ');
	int o = !*h ? 0 : sp ? 2 : 1, i;

	snprintf(g, sizeof g, "%s%s%s", h, *h ? " " : "", w);
	if ((i = find(a, o, g)) >= 0)
		return a->p[o][i];
	if (o == 0)
		return 0;
	snprintf(shorter, sizeof shorter, "%s", sp ? sp + 1 : "");
	i = find(a, o - 1, h);
	return (i >= 0 ? a->bow[o - 1][i] : 1) * prob(a, shorter, w);
}

/* Every context sums to one over the vocabulary (<s> is never predicted). */
static void
check_sums(const struct arpa *a)
{
	double s = 0;

	for (int i = 0; i < a->n[0]; i++)
		if (strcmp(a->gram[0][i], "<s>") != 0)
			s += a->p[0][i];
	CHECK(fabs(s - 1) < 1e-4);
	for (int o = 0; o < 2; o++)
		for (int c = 0; c < a->n[o]; c++) {
			const char *h = a->gram[o][c];
			size_t l = strlen(h);
			if (l >= 4 && strcmp(h + l - 4, "</s>") == 0)
				continue;
			s = 0;
			for (int i = 0; i < a->n[0]; i++)
				if (strcmp(a->gram[0][i], "<s>") != 0)
					s += prob(a, h, a->gram[0][i]);
			if (fabs(s - 1) > 1e-4)
				fprintf(stderr, "context \"%s\" sums to %f\n",
				    h, s);
			CHECK(fabs(s - 1) < 1e-4);
		}
}

static char *
slurp(FILE *f)
{
	char *buf = NULL;
	size_t len = 0;

	rewind(f);
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

int
main(void)
{
	static const char md[] = "---\nid: kb-x\ntitle: Disk full\n"
	    "tags: [a]\n---\n# The Disk\n\n## Meaning\n"
	    "1. Disk at 90% on db-01.\n```sh\ndf -h\n```\n"
	    "- See `df -h` and https://x.y/z for 2.5 hours: now!\n";
	static const char text[] = "the disk is full. the disk failover "
	    "happened. timeouts happen. the kubelet ntp is full. "
	    "the disk is full again.";
	char dpath[] = "/tmp/inc-lm-test.XXXXXX", err[256], *s, *dic, *oov;
	int fd = mkstemp(dpath);
	struct lm_dict *d;
	struct lm_text *t;
	struct lm_report rep;
	struct arpa a;
	FILE *f, *fa, *fd2, *fo;

	/* Read as spoken. */
	s = lm_normalize(md, strlen(md));
	CHECK_STR(s, "disk full\nthe disk\nmeaning\n"
	    "disk at ninety percent on db zero one\n"
	    "see and for two point five hours\nnow\n");
	free(s);
	s = lm_normalize("404 errors, 1200 ms, 007", 24);
	CHECK_STR(s, "four hundred four errors one thousand two hundred ms "
	    "zero zero seven\n");
	free(s);
	/* CamelCase is said as its words; an all-capitals tail is not one. */
	s = lm_normalize("CronJob in ImagePullBackOff on PostgreSQL, "
	    "OOMKilled", 52);
	CHECK_STR(s, "cron job in image pull back off on postgresql "
	    "oomkilled\n");
	free(s);

	/* A dictionary without "failover", "timeouts", "ntp", "kubelet". */
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# a comment\n"
	    "the DH AH\nthe(2) DH IY\ndisk D IH S K\nis IH Z\nfull F UH L\n"
	    "fail F EY L\nover OW V ER\nhappened HH AE P AH N D\n"
	    "timeout T AY M AW T\nhappen HH AE P AH N\nagain AH G EH N\n"
	    "weather W EH DH ER  # not in the text\n", f);
	fclose(f);
	d = lm_dict_load(dpath, err, sizeof err);
	CHECK(d != NULL);
	if (!d)
		return unit_done();
	t = lm_text_new();
	CHECK(lm_text_add(t, text, strlen(text)) == 0);
	fa = tmpfile();
	fd2 = tmpfile();
	fo = tmpfile();
	CHECK(lm_build(t, d, LM_WITTEN_BELL, 0, fa, fd2, fo, &rep, err,
	    sizeof err) == 0);
	CHECK(rep.sentences == 5);
	CHECK(rep.joined == 1 && rep.plural == 1 && rep.spelled == 1 &&
	    rep.dropped == 1 && rep.dropped_tokens == 1);
	dic = slurp(fd2);
	oov = slurp(fo);
	CHECK(strstr(dic, "the DH AH\nthe(2) DH IY\n") != NULL);
	CHECK(strstr(dic, "failover F EY L OW V ER\n") != NULL);
	CHECK(strstr(dic, "timeouts T AY M AW T S\n") != NULL);
	CHECK(strstr(dic, "ntp EH N T IY P IY\n") != NULL);
	CHECK(strstr(dic, "kubelet") == NULL);
	CHECK(strstr(dic, "weather") == NULL);
	CHECK(strstr(oov, "dropped\tkubelet\t1\n") != NULL);
	CHECK(strstr(oov, "joined\tfailover\t1\tfail + over\n") != NULL);
	free(dic);
	free(oov);
	rewind(fa);
	read_arpa(fa, &a);
	CHECK(a.n[0] == (int)rep.vocab && a.n[1] == (int)rep.ngrams[1] &&
	    a.n[2] == (int)rep.ngrams[2]);
	CHECK(a.n[0] == 13 && a.n[2] > 10);
	/* "the disk is full" three times: its trigram beats the others. */
	CHECK(prob(&a, "disk is", "full") > prob(&a, "disk is", "again"));
	CHECK(prob(&a, "the", "<unk>") > 0);
	check_sums(&a);
	free_arpa(&a);
	fclose(fa);
	fclose(fd2);
	fclose(fo);

	/* Common English: "weather" joins the model, sums still hold. */
	CHECK(lm_dict_common(d, "weather", 0.01) == 0);
	CHECK(lm_dict_common(d, "the", 0.05) == 0);
	CHECK(lm_dict_common(d, "nosuchword", 0.05) < 0);
	fa = tmpfile();
	fd2 = tmpfile();
	CHECK(lm_build(t, d, LM_WITTEN_BELL, 0.2, fa, fd2, NULL, &rep, err,
	    sizeof err) == 0);
	CHECK(rep.background == 1);
	dic = slurp(fd2);
	CHECK(strstr(dic, "weather W EH DH ER\n") != NULL);
	/* Only compounds of common words are compounds now. */
	CHECK(strstr(dic, "failover") == NULL);
	free(dic);
	rewind(fa);
	read_arpa(fa, &a);
	CHECK(prob(&a, "", "weather") > 0);
	check_sums(&a);
	free_arpa(&a);
	fclose(fa);
	fclose(fd2);

	/* Kneser-Ney: a distribution too, and "full" after "is" still the
	 * likeliest. */
	fa = tmpfile();
	fd2 = tmpfile();
	CHECK(lm_build(t, d, LM_KNESER_NEY, 0.2, fa, fd2, NULL, &rep, err,
	    sizeof err) == 0);
	rewind(fa);
	read_arpa(fa, &a);
	CHECK(prob(&a, "disk is", "full") > prob(&a, "disk is", "again"));
	CHECK(prob(&a, "", "weather") > 0);
	check_sums(&a);
	free_arpa(&a);
	fclose(fa);
	fclose(fd2);

	lm_text_free(t);
	lm_dict_free(d);

	/* Endings and prefixes on dictionary words: the ending sounds as
	 * the stem's last sound wants it; a prefix needs a common word
	 * ("rest" is no re + st), "d" an e before it. */
	f = fopen(dpath, "w");
	CHECK(f != NULL);
	if (!f)
		return unit_done();
	fputs("provider P R AH V AY D ER\nversion V ER ZH AH N\n"
	    "batch B AE CH\nqueue K Y UW\nindex IH N D EH K S\n"
	    "mount M AW N T\nready R EH D IY\nload L OW D\nst S T\n"
	    "the DH AH\n", f);
	fclose(f);
	d = lm_dict_load(dpath, err, sizeof err);
	CHECK(d != NULL);
	if (!d)
		return unit_done();
	CHECK(lm_dict_common(d, "index", 0.01) == 0);
	CHECK(lm_dict_common(d, "ready", 0.01) == 0);
	t = lm_text_new();
	s = "the provider's load versioned batched queued loaded. "
	    "reindex unready unmount rest mounting.";
	CHECK(lm_text_add(t, s, strlen(s)) == 0);
	fa = tmpfile();
	fd2 = tmpfile();
	fo = tmpfile();
	CHECK(lm_build(t, d, LM_KNESER_NEY, 0, fa, fd2, fo, &rep, err,
	    sizeof err) == 0);
	dic = slurp(fd2);
	oov = slurp(fo);
	CHECK(strstr(dic, "provider's P R AH V AY D ER Z\n") != NULL);
	CHECK(strstr(dic, "versioned V ER ZH AH N D\n") != NULL);
	CHECK(strstr(dic, "batched B AE CH T\n") != NULL);
	CHECK(strstr(dic, "queued K Y UW D\n") != NULL);
	CHECK(strstr(dic, "loaded L OW D IH D\n") != NULL);
	CHECK(strstr(dic, "reindex R IY IH N D EH K S\n") != NULL);
	CHECK(strstr(dic, "unready AH N R EH D IY\n") != NULL);
	CHECK(strstr(dic, "mounting M AW N T IH NG\n") != NULL);
	/* mount is not common here; rest is not re + st. */
	CHECK(strstr(dic, "unmount") == NULL);
	CHECK(strstr(dic, "rest R IY") == NULL);
	CHECK(strstr(oov, "derived\tprovider's\t1\tprovider + 's\n") != NULL);
	CHECK(strstr(oov, "derived\treindex\t1\tre + index\n") != NULL);
	CHECK(strstr(oov, "dropped\tunmount\t1\n") != NULL);
	CHECK(rep.derived == 8);
	free(dic);
	free(oov);
	rewind(fa);
	read_arpa(fa, &a);
	check_sums(&a);
	free_arpa(&a);
	fclose(fa);
	fclose(fd2);
	fclose(fo);
	lm_text_free(t);
	lm_dict_free(d);
	unlink(dpath);
	return unit_done();
}
