/*
 * match-faiss.cc: the peer of match.c, FAISS IndexFlatIP (exact inner
 * product) on the very vectors match.c wrote with --dump.  A helper of
 * bench/match, which builds it against Debian's libfaiss-dev.
 *
 *   match-faiss DIR N DIM NQ K BATCH REPS BUDGET_S
 *
 * Reads DIR/base.f32, DIR/queries.f32 and DIR/truth.i32 and prints "key
 * value" lines: single-query latency (search with nq = 1, one thread),
 * throughput over all queries in batches of BATCH, with one thread and
 * with the default number (omp_get_max_threads() at start), each
 * the way FAISS chooses (BLAS sgemm from 20 queries up; with
 * MATCH_FAISS_SCAN set in the environment also its plain scan, forced by
 * raising distance_compute_blas_threshold, one thread), and
 * recall@K against match.c's float scan (ties aside, 1).  A figure stops
 * being repeated after BUDGET_S seconds, so a slow build of the library
 * does not hold the run up; its count of queries is printed with it.
 */
#include <faiss/IndexFlat.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

static double
now()
{
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch())
	    .count();
}

template <typename T>
static bool
load(const char *dir, const char *name, std::vector<T> &v, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	v.resize(n);
	bool ok = f && fread(v.data(), sizeof(T), n, f) == n;
	if (f)
		fclose(f);
	if (!ok)
		fprintf(stderr, "match-faiss: cannot read %s\n", path);
	return ok;
}

int
main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: match-faiss DIR N DIM NQ K BATCH REPS "
		    "BUDGET_S\n");
		return 2;
	}
	const char *dir = argv[1];
	size_t n = strtoull(argv[2], nullptr, 10);
	int d = atoi(argv[3]), nq = atoi(argv[4]), k = atoi(argv[5]);
	int bs = atoi(argv[6]), reps = atoi(argv[7]);
	double budget = atof(argv[8]);
	int threads = omp_get_max_threads();

	std::vector<float> base, q;
	std::vector<int32_t> truth;
	if (!load(dir, "base.f32", base, n * d) ||
	    !load(dir, "queries.f32", q, (size_t)nq * d) ||
	    !load(dir, "truth.i32", truth, (size_t)nq * k))
		return 1;

	double t0 = now();
	faiss::IndexFlatIP index(d);
	index.add(n, base.data());
	printf("faiss_add_s %.3f\nfaiss_threads_default %d\n", now() - t0,
	    threads);
	base.clear();
	base.shrink_to_fit();

	std::vector<float> dist((size_t)nq * k);
	std::vector<faiss::Index::idx_t> lab((size_t)nq * k);
	const int blas_default = faiss::distance_compute_blas_threshold;

	/* Single queries, one thread, after a warm-up. */
	omp_set_num_threads(1);
	for (int i = 0; i < 3 && i < nq; i++)
		index.search(1, q.data() + (size_t)i * d, k, dist.data(),
		    lab.data());
	std::vector<double> ms;
	double spent = 0;
	for (int i = 0; i < nq && spent < budget; i++) {
		double a = now();
		index.search(1, q.data() + (size_t)i * d, k,
		    dist.data() + (size_t)i * k, lab.data() + (size_t)i * k);
		double t = now() - a;
		ms.push_back(t * 1e3);
		spent += t;
	}
	int measured = (int)ms.size();
	std::sort(ms.begin(), ms.end());
	auto qtl = [&](double p) {
		int r = (int)std::ceil(p * measured);
		return ms[std::max(r, 1) - 1];
	};
	double sum = 0;
	for (double x : ms)
		sum += x;
	printf("faiss_single_p50_ms %.4f\nfaiss_single_p99_ms %.4f\n"
	    "faiss_single_mean_ms %.4f\nfaiss_single_n %d\n", qtl(0.5),
	    qtl(0.99), sum / measured, measured);

	/* Recall of the single searches that ran, against the float scan. */
	long hit = 0;
	for (int i = 0; i < measured; i++)
		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				if (lab[(size_t)i * k + a] ==
				    truth[(size_t)i * k + b]) {
					hit++;
					break;
				}
	printf("faiss_recall %.4f\n", (double)hit / ((double)measured * k));

	/*
	 * Batches: passes over the queries (whole batches only); the best
	 * pass counts.  Modes: threads 1 or default, BLAS or the scan.
	 */
	struct mode {
		const char *key;
		int threads, blas;
	} modes[] = {
		{ "faiss_batch_1t", 1, 1 },
		{ "faiss_batch_mt", threads, 1 },
		{ "faiss_batch_scan_1t", 1, 0 },
	};
	int nmodes = getenv("MATCH_FAISS_SCAN") ? 3 : 2;
	for (int mi = 0; mi < nmodes; mi++) {
		const mode &m = modes[mi];
		if (mi == 1 && threads == 1)
			continue;	/* the default is one thread */
		omp_set_num_threads(m.threads);
		faiss::distance_compute_blas_threshold = m.blas ?
		    blas_default : nq + bs + 1;
		double best = 0;
		int done = 0, passes = 0;
		spent = 0;
		for (int r = 0; r < reps && spent < budget; r++) {
			double a = now();
			int qn = 0;
			for (int i = 0; i < nq && now() - a < budget;
			    i += bs) {
				int b = std::min(bs, nq - i);
				index.search(b, q.data() + (size_t)i * d, k,
				    dist.data() + (size_t)i * k,
				    lab.data() + (size_t)i * k);
				qn += b;
			}
			double t = now() - a;
			spent += t;
			passes++;
			if (r == 0 || qn / t > done / best) {
				best = t;
				done = qn;
			}
		}
		printf("%s_qps %.1f\n%s_queries %d\n%s_passes %d\n", m.key,
		    done / best, m.key, done, m.key, passes);
	}
	faiss::distance_compute_blas_threshold = blas_default;
	return 0;
}
