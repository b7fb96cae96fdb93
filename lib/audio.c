/* audio: read recordings and bring them to the recogniser's rate. */
#include "audio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sndfile.h>
#include <soxr.h>

/* libsndfile's virtual I/O over a buffer, for audio fetched over HTTP. */
struct membuf {
	const unsigned char *p;
	sf_count_t len, pos;
};

static sf_count_t
mem_len(void *u)
{
	return ((struct membuf *)u)->len;
}

static sf_count_t
mem_seek(sf_count_t off, int whence, void *u)
{
	struct membuf *m = u;
	sf_count_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ?
	    m->pos + off : m->len + off;

	if (to < 0 || to > m->len)
		return -1;
	m->pos = to;
	return to;
}

static sf_count_t
mem_read(void *ptr, sf_count_t n, void *u)
{
	struct membuf *m = u;

	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(ptr, m->p + m->pos, (size_t)n);
	m->pos += n;
	return n;
}

static sf_count_t
mem_write(const void *ptr, sf_count_t n, void *u)
{
	(void)ptr;
	(void)n;
	(void)u;
	return 0;
}

static sf_count_t
mem_tell(void *u)
{
	return ((struct membuf *)u)->pos;
}

static void
describe(const SF_INFO *fi, char *out, size_t len)
{
	SF_FORMAT_INFO major = { .format = fi->format & SF_FORMAT_TYPEMASK };
	const char *sub;

	if (sf_command(NULL, SFC_GET_FORMAT_INFO, &major, sizeof major) != 0)
		major.name = "audio";
	switch (fi->format & SF_FORMAT_SUBMASK) {
	case SF_FORMAT_ULAW: sub = "mu-law"; break;
	case SF_FORMAT_ALAW: sub = "A-law"; break;
	case SF_FORMAT_PCM_U8: sub = "PCM 8-bit"; break;
	case SF_FORMAT_PCM_S8: sub = "PCM 8-bit"; break;
	case SF_FORMAT_PCM_16: sub = "PCM 16-bit"; break;
	case SF_FORMAT_PCM_24: sub = "PCM 24-bit"; break;
	case SF_FORMAT_PCM_32: sub = "PCM 32-bit"; break;
	case SF_FORMAT_FLOAT: sub = "float"; break;
	case SF_FORMAT_DOUBLE: sub = "double"; break;
	default: sub = NULL; break;
	}
	/* "WAV (Microsoft)" reads better as "WAV". */
	snprintf(out, len, "%.*s%s%s", (int)strcspn(major.name, " "),
	    major.name, sub ? " " : "", sub ? sub : "");
}

float *
audio_resample(const float *in, size_t n, int from, int to, size_t *out_n,
    char *err, size_t errlen)
{
	size_t cap = (size_t)((double)n * to / from) + 16, done = 0;
	float *out = malloc(cap * sizeof *out);
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
	soxr_error_t e;

	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (from == to) {
		memcpy(out, in, n * sizeof *in);
		*out_n = n;
		return out;
	}
	e = soxr_oneshot(from, to, 1, in, n, NULL, out, cap, &done, &io, &q,
	    NULL);
	if (e) {
		snprintf(err, errlen, "resampling %d Hz to %d Hz: %s", from,
		    to, soxr_strerror(e));
		free(out);
		return NULL;
	}
	*out_n = done;
	return out;
}

/* The loudest 20 ms window, as RMS in dBFS (-120 for digital silence). */
static double
peak_dbfs(const float *x, size_t n, int rate)
{
	size_t w = (size_t)rate / 50, i, j;
	double best = 0;

	if (w == 0)
		w = 1;
	for (i = 0; i < n; i += w) {
		double s = 0;
		size_t m = n - i < w ? n - i : w;
		for (j = 0; j < m; j++)
			s += (double)x[i + j] * x[i + j];
		s /= (double)m;
		if (s > best)
			best = s;
	}
	return best > 1e-12 ? 10 * log10(best) : -120.0;
}

int
audio_read(const char *file, const void *data, size_t len, int rate,
    double max_seconds, struct audio *a, char *err, size_t errlen)
{
	SF_VIRTUAL_IO vio = { mem_len, mem_seek, mem_read, mem_write,
	    mem_tell };
	struct membuf m = { data, (sf_count_t)len, 0 };
	SF_INFO fi = { 0 };
	SNDFILE *sf;
	float *frames = NULL, *mono = NULL, *res = NULL;
	sf_count_t got;
	size_t nres, i;
	int rc = -1;

	memset(a, 0, sizeof *a);
	sf = file ? sf_open(file, SFM_READ, &fi) :
	    sf_open_virtual(&vio, SFM_READ, &fi, &m);
	if (!sf) {
		/* libsndfile's text ends with a period and starts upper
		 * case; ours are one lower-case line. */
		char why[160];
		size_t l;
		snprintf(why, sizeof why, "%s", sf_strerror(NULL));
		l = strlen(why);
		while (l > 0 && (why[l - 1] == '.' || why[l - 1] == '\n'))
			why[--l] = '\0';
		if (why[0] >= 'A' && why[0] <= 'Z')
			why[0] = (char)(why[0] - 'A' + 'a');
		snprintf(err, errlen, "not audio libsndfile can read: %s",
		    why);
		return -1;
	}
	if (fi.channels < 1 || fi.samplerate < 1000 ||
	    fi.samplerate > 384000) {
		snprintf(err, errlen, "unusual audio: %d channels at %d Hz",
		    fi.channels, fi.samplerate);
		goto out;
	}
	if (fi.frames <= 0) {
		snprintf(err, errlen, "the recording is empty");
		goto out;
	}
	if ((double)fi.frames / fi.samplerate > max_seconds) {
		snprintf(err, errlen, "the recording lasts %.0f s, more than "
		    "the %.0f s allowed", (double)fi.frames / fi.samplerate,
		    max_seconds);
		goto out;
	}
	frames = malloc((size_t)fi.frames * (size_t)fi.channels *
	    sizeof *frames);
	mono = malloc((size_t)fi.frames * sizeof *mono);
	if (!frames || !mono) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	got = sf_readf_float(sf, frames, fi.frames);
	if (got <= 0) {
		snprintf(err, errlen, "cannot read the samples: %s",
		    sf_strerror(sf));
		goto out;
	}
	/* Two channels of one call are the two ends of it: the mix keeps
	 * both voices. */
	for (i = 0; i < (size_t)got; i++) {
		double s = 0;
		for (int c = 0; c < fi.channels; c++)
			s += frames[i * (size_t)fi.channels + (size_t)c];
		mono[i] = (float)(s / fi.channels);
	}
	if (!(res = audio_resample(mono, (size_t)got, fi.samplerate, rate,
	    &nres, err, errlen)))
		goto out;
	if (!(a->pcm = malloc((nres ? nres : 1) * sizeof *a->pcm))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < nres; i++) {
		float v = res[i] * 32767.0f;
		a->pcm[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ?
		    -32768 : lrintf(v));
	}
	a->n = nres;
	a->rate = rate;
	a->src_rate = fi.samplerate;
	a->src_channels = fi.channels;
	a->seconds = (double)got / fi.samplerate;
	a->peak_dbfs = peak_dbfs(mono, (size_t)got, fi.samplerate);
	describe(&fi, a->src_format, sizeof a->src_format);
	rc = 0;
out:
	sf_close(sf);
	free(frames);
	free(mono);
	free(res);
	return rc;
}

void
audio_free(struct audio *a)
{
	free(a->pcm);
	a->pcm = NULL;
	a->n = 0;
}

int
audio_is_silent(const struct audio *a)
{
	return a->peak_dbfs < AUDIO_SILENCE_DBFS;
}
