/*
 * audio: recordings in, 16 kHz mono 16-bit samples out, for speech
 * recognition.
 *
 * What phones and recorders produce is read with libsndfile (WAV in PCM
 * 8/16/24/32-bit or float, mu-law and A-law, and whatever else libsndfile
 * knows: FLAC, AIFF, AU...), the channels are averaged to one, and the
 * result is resampled with libsoxr to the rate the acoustic model was
 * trained at.  The reader also tells silence from sound, so that a stage
 * can say "no speech" without running a recogniser over nothing.
 *
 * It leaves to its callers where the bytes come from (a file, an HTTP
 * answer) and what to do with the samples.  Errors come back as -1 with a
 * short reason, never on stderr.
 */
#ifndef INC_AUDIO_H
#define INC_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_RATE	16000	/* what pocketsphinx's en-us model hears */
#define AUDIO_MAX_SECONDS_DEFAULT 600

struct audio {
	int16_t *pcm;		/* mono samples at rate, malloc'd */
	size_t n;		/* number of samples */
	int rate;		/* AUDIO_RATE, or what audio_read was asked */
	/* What the input was, for messages and the Google request. */
	int src_rate, src_channels;
	char src_format[48];	/* "WAV mu-law", "WAV PCM 16-bit", ... */
	double seconds;
	double peak_dbfs;	/* loudest 20 ms window, RMS, in dBFS */
};

/*
 * Read the recording in file (a path) or in the len bytes at data (when
 * file is NULL), at most max_seconds of it (a longer one is an error), and
 * convert it to mono at rate Hz.  Returns 0 and fills *a (free it with
 * audio_free), or -1 with the reason in err ("not audio: File contains
 * data in an unknown format.").
 */
int audio_read(const char *file, const void *data, size_t len, int rate,
    double max_seconds, struct audio *a, char *err, size_t errlen);

void audio_free(struct audio *a);

/*
 * Whether the recording holds nothing louder than the threshold in any
 * 20 ms window (-50 dBFS: room noise of a quiet line, far below speech).
 */
#define AUDIO_SILENCE_DBFS (-50.0)
int audio_is_silent(const struct audio *a);

/*
 * Resample n mono float samples from rate `from` to rate `to` with
 * libsoxr's high quality filter.  Returns a malloc'd array and its length
 * in *out_n, or NULL with the reason in err.
 */
float *audio_resample(const float *in, size_t n, int from, int to,
    size_t *out_n, char *err, size_t errlen);

#endif
