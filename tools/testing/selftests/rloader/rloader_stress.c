// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_stress: concurrency stress of rloader against itself, against the
 * kernel's own loader and against rmmod.
 *
 *   rloader_stress SECONDS RLOADER.ko A.ko B.ko C.ko M1.ko M2.ko
 *
 * A, B and C are the chain rl_chain_a <- rl_chain_b <- rl_chain_c; M1 and
 * M2 are unrelated modules (rl_percpu, rust_minimal).  Five scenarios, each
 * a fifth of SECONDS (at least one round each), print one KTAP result each:
 *
 *   parallel  two writers load and unload the chain through /dev/rloader,
 *             one through init_module(2), one loads M1 and M2, and a reader
 *             checks every /proc/modules and listing it reads;
 *   samename  four processes load the same module at the same moment, two
 *             through rloader and two through init_module(): exactly one
 *             succeeds, the others fail with EEXIST (EBUSY while loading);
 *   bind      A is loaded; B is loaded (either loader) while A is removed:
 *             either B binds and holds A (rmmod fails with EWOULDBLOCK) or
 *             A goes and B fails with ENOENT, never both succeed;
 *   pinned    with a file of /dev/rloader open and loads in flight on other
 *             files, rmmod rloader fails every time with EWOULDBLOCK;
 *             once the files are closed, it succeeds;
 *   unplug    writers open, load and close while rloader is removed under
 *             them: opens fail with ENOENT/ENODEV/ENXIO once it is gone,
 *             loads already in flight finish; then rloader loads again.
 *
 * Each scenario fails on an errno outside the ones allowed for its
 * operation and checks that no test module is left loaded afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEV "/dev/rloader"
#define MAX_ERRNO 256
#define NR_WORKERS 8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define GET(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define SET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

enum op { RL_LOAD, K_LOAD, UNLOAD, OPEN, READ, RMMOD_RL, NR_OPS };

static const char *const op_names[NR_OPS] = {
	"rloader load", "init_module", "delete_module", "open", "read", "rmmod rloader",
};

struct shared {
	/* Flags between processes: read with GET(), written with SET(). */
	int stop;
	int go;
	int unplugging;
	int violations;
	int result[NR_WORKERS];
	unsigned int count[NR_OPS][MAX_ERRNO];
};

struct image {
	const char *name;
	char *buf;
	size_t len;
};

static struct shared *sh;
static struct image rl, a, b, c, m1, m2;

static void complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# VIOLATION: ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	__sync_fetch_and_add(&sh->violations, 1);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts the outcome of @op and complains unless it is 0 or in @ok. */
static void account(enum op op, const char *mod, int err, const int *ok)
{
	const int *p;

	__sync_fetch_and_add(&sh->count[op][err < MAX_ERRNO ? err : 0], 1);
	if (!err)
		return;
	for (p = ok; *p; p++)
		if (*p == err)
			return;
	complain("%s %s: unexpected %s (errno %d)\n", op_names[op], mod, strerror(err), err);
}

static int read_image(struct image *im, const char *path)
{
	struct stat st;
	const char *base = strrchr(path, '/');
	char *name;
	int fd;

	name = strdup(base ? base + 1 : path);
	if (!name || !strstr(name, ".ko"))
		return -1;
	*strstr(name, ".ko") = '\0';
	im->name = name;
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return -1;
	im->len = st.st_size;
	im->buf = malloc(im->len);
	if (!im->buf || read(fd, im->buf, im->len) != (ssize_t)im->len)
		return -1;
	close(fd);
	return 0;
}

/* Loads through a new file of /dev/rloader: 0 or the errno; *opened 0 if open() failed. */
static int rl_load(const struct image *im, int *opened)
{
	ssize_t r;
	int fd, err;

	fd = open(DEV, O_WRONLY);
	if (opened)
		*opened = fd >= 0;
	if (fd < 0)
		return errno;
	r = write(fd, im->buf, im->len);
	err = r < 0 ? errno : (r == (ssize_t)im->len ? 0 : EIO);
	close(fd);
	return err;
}

static int k_load(const struct image *im)
{
	return syscall(SYS_init_module, im->buf, im->len, "") ? errno : 0;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

static int read_all(const char *path, char *buf, size_t size)
{
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

/* The /proc/modules line of @name in @mods, or NULL. */
static const char *mod_line(const char *mods, const char *name)
{
	size_t l = strlen(name);
	const char *p = mods;

	while (p && *p) {
		if (!strncmp(p, name, l) && p[l] == ' ')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static int loaded(const char *name)
{
	static char mods[65536];

	if (read_all("/proc/modules", mods, sizeof(mods)) < 0) {
		complain("/proc/modules: %s\n", strerror(errno));
		return 0;
	}
	return mod_line(mods, name) != NULL;
}

static int listed(const char *name)
{
	static char list[65536];

	if (read_all(DEV, list, sizeof(list)) < 0)
		return 0;
	return mod_line(list, name) != NULL;
}

/* Unloads what is left of @names, waiting out transient EBUSY/EAGAIN. */
static int cleanup(const struct image *const *ims, int n)
{
	int i, tries, err, left = 0;

	for (i = 0; i < n; i++) {
		for (tries = 0; tries < 100; tries++) {
			err = unload(ims[i]->name);
			if (err != EAGAIN && err != EBUSY)
				break;
			usleep(20000);
		}
		if (err && err != ENOENT)
			complain("%s: rmmod %s: %s\n", __func__, ims[i]->name, strerror(err));
	}
	for (i = 0; i < n; i++) {
		if (loaded(ims[i]->name)) {
			complain("%s is still loaded at the end\n", ims[i]->name);
			left++;
		}
	}
	return left;
}

static pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t *pids, int n)
{
	int i, status;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			complain("worker %d (pid %d) died: status 0x%x\n", i, pids[i], status);
	}
}

static const int load_ok[] = { EEXIST, ENOENT, EBUSY, 0 };
static const int unload_ok[] = { ENOENT, EWOULDBLOCK, EBUSY, 0 };

/* --- parallel ------------------------------------------------------------ */

static void chain_writer(int insmod)
{
	const struct image *chain[] = { &a, &b, &c };
	int i;

	while (!GET(sh->stop)) {
		for (i = 0; i < 3; i++) {
			if (insmod)
				account(K_LOAD, chain[i]->name, k_load(chain[i]), load_ok);
			else
				account(RL_LOAD, chain[i]->name, rl_load(chain[i], NULL), load_ok);
		}
		for (i = 2; i >= 0; i--)
			account(UNLOAD, chain[i]->name, unload(chain[i]->name), unload_ok);
	}
}

static void other_writer(int unused)
{
	while (!GET(sh->stop)) {
		account(RL_LOAD, m1.name, rl_load(&m1, NULL), load_ok);
		account(RL_LOAD, m2.name, rl_load(&m2, NULL), load_ok);
		account(UNLOAD, m1.name, unload(m1.name), unload_ok);
		account(UNLOAD, m2.name, unload(m2.name), unload_ok);
	}
}

/* Does the "Used by" field of @line name @user? */
static int uses(const char *line, const char *user)
{
	char field[1024];

	/* name size refcount users state address */
	if (sscanf(line, "%*s %*s %*s %1023s", field) != 1)
		return 0;
	return strstr(field, user) != NULL;
}

static void check_modules(const char *mods)
{
	const char *lb = mod_line(mods, b.name), *lc = mod_line(mods, c.name);
	const char *la = mod_line(mods, a.name);
	char state[32];

	if (lb && sscanf(lb, "%*s %*s %*s %*s %31s", state) == 1 && !strcmp(state, "Live") &&
	    (!la || !uses(la, b.name)))
		complain("%s is live, but %s is %s\n", b.name, a.name,
			 la ? "not used by it" : "not loaded");
	if (lc && sscanf(lc, "%*s %*s %*s %*s %31s", state) == 1 && !strcmp(state, "Live") &&
	    (!lb || !uses(lb, c.name)))
		complain("%s is live, but %s is %s\n", c.name, b.name,
			 lb ? "not used by it" : "not loaded");
}

static int count_fields(const char *p, size_t l)
{
	char line[512], *tok, *save;
	int fields = 0;

	snprintf(line, sizeof(line), "%.*s", (int)l, p);
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		fields++;
	return fields;
}

/* Every line of the listing has as many fields as its header names. */
static void check_listing(const char *list)
{
	const char *p = list;
	int fields, want = -1;

	for (; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0)) {
		size_t l = strcspn(p, "\n");

		fields = count_fields(p, l);
		if (*p == '#') {
			want = fields - 1;
			continue;
		}
		if (fields != want)
			complain("listing line with %d fields, not %d: %.*s\n", fields, want,
				 (int)l, p);
	}
}

static void reader(int unused)
{
	static char buf[65536];
	static const int none[] = { 0 };
	int r;

	while (!GET(sh->stop)) {
		r = read_all("/proc/modules", buf, sizeof(buf));
		account(READ, "/proc/modules", r < 0 ? -r : 0, none);
		if (r >= 0)
			check_modules(buf);
		r = read_all(DEV, buf, sizeof(buf));
		account(READ, DEV, r < 0 ? -r : 0, none);
		if (r >= 0)
			check_listing(buf);
	}
}

static void run_for(double secs)
{
	double end = now() + secs;

	while (now() < end && !GET(sh->stop))
		usleep(50000);
	SET(sh->stop, 1);
}

static void parallel(double secs)
{
	pid_t pids[5];

	SET(sh->stop, 0);
	pids[0] = spawn(chain_writer, 0);
	pids[1] = spawn(chain_writer, 0);
	pids[2] = spawn(chain_writer, 1);
	pids[3] = spawn(other_writer, 0);
	pids[4] = spawn(reader, 0);
	run_for(secs);
	reap(pids, 5);
}

/* --- samename ------------------------------------------------------------ */

static const struct image *race_image;

static void wait_go(void)
{
	while (!GET(sh->go))
		sched_yield();
}

static void same_loader(int i)
{
	wait_go();
	sh->result[i] = i & 1 ? k_load(race_image) : rl_load(race_image, NULL);
}

static void samename(double secs)
{
	static const int ok[] = { EEXIST, EBUSY, 0 };
	const struct image *ims[] = { &m1, &m2, &a };
	double end = now() + secs;
	unsigned int round = 0;
	pid_t pids[4];
	int i, wins, winner;

	do {
		race_image = ims[round % 3];
		SET(sh->go, 0);
		for (i = 0; i < 4; i++)
			pids[i] = spawn(same_loader, i);
		SET(sh->go, 1);
		reap(pids, 4);
		wins = 0;
		winner = -1;
		for (i = 0; i < 4; i++) {
			account(i & 1 ? K_LOAD : RL_LOAD, race_image->name, sh->result[i], ok);
			if (!sh->result[i]) {
				wins++;
				winner = i;
			}
		}
		if (wins != 1)
			complain("round %u: %d of 4 loads of %s succeeded\n",
				 round, wins, race_image->name);
		if (wins && !loaded(race_image->name))
			complain("round %u: %s loaded, but not in /proc/modules\n",
				 round, race_image->name);
		if (wins == 1 && listed(race_image->name) != !(winner & 1))
			complain("round %u: %s loaded by %s, but %slisted by rloader\n",
				 round, race_image->name, winner & 1 ? "init_module" : "rloader",
				 winner & 1 ? "" : "not ");
		if (wins && unload(race_image->name))
			complain("round %u: rmmod %s: %s\n", round, race_image->name,
				 strerror(errno));
		round++;
	} while (now() < end);
	note("%s: %u rounds\n", __func__, round);
}

/* --- bind ---------------------------------------------------------------- */

static void bind_loader(int insmod)
{
	wait_go();
	sh->result[0] = insmod ? k_load(&b) : rl_load(&b, NULL);
}

static void bind_remover(int unused)
{
	wait_go();
	sh->result[1] = unload(a.name);
}

static void bind(double secs)
{
	static const int b_ok[] = { ENOENT, 0 };
	static const int a_ok[] = { EWOULDBLOCK, 0 };
	double end = now() + secs;
	unsigned int round = 0, bound = 0, removed = 0;
	static char mods[65536];
	pid_t pids[2];
	int err;

	do {
		err = round & 2 ? k_load(&a) : rl_load(&a, NULL);
		if (err) {
			complain("round %u: loading %s: %s\n", round, a.name, strerror(err));
			break;
		}
		SET(sh->go, 0);
		pids[0] = spawn(bind_loader, round & 1);
		pids[1] = spawn(bind_remover, 0);
		SET(sh->go, 1);
		reap(pids, 2);
		account(round & 1 ? K_LOAD : RL_LOAD, b.name, sh->result[0], b_ok);
		account(UNLOAD, a.name, sh->result[1], a_ok);
		if (read_all("/proc/modules", mods, sizeof(mods)) < 0)
			complain("/proc/modules: %s\n", strerror(errno));
		if (!sh->result[0] && !sh->result[1]) {
			complain("round %u: %s loaded and %s removed\n", round, b.name, a.name);
		} else if (!sh->result[0]) {
			bound++;
			if (!mod_line(mods, a.name) || !uses(mod_line(mods, a.name), b.name))
				complain("round %u: %s loaded, but %s is not used by it\n",
					 round, b.name, a.name);
		} else if (!sh->result[1]) {
			removed++;
			if (mod_line(mods, a.name) || mod_line(mods, b.name))
				complain("round %u: %s removed and %s failed, but one is loaded\n",
					 round, a.name, b.name);
		} else {
			complain("round %u: both failed: load %s: %s, rmmod %s: %s\n", round,
				 b.name, strerror(sh->result[0]), a.name, strerror(sh->result[1]));
		}
		unload(b.name);
		unload(a.name);
		round++;
	} while (now() < end);
	note("%s: %u rounds, %u bound, %u removed first\n", __func__, round, bound, removed);
}

/* --- pinned, unplug -------------------------------------------------------- */

static void plug_writer(int i)
{
	static const int open_ok[] = { ENOENT, ENODEV, ENXIO, 0 };
	static const int ok[] = { EEXIST, EBUSY, 0 };
	const struct image *im = i & 1 ? &m2 : &m1;
	int err, opened;

	while (!GET(sh->stop)) {
		err = rl_load(im, &opened);
		if (!opened) {
			if (!GET(sh->unplugging)) {
				complain("open %s: %s while rloader is pinned\n", DEV,
					 strerror(err));
				break;
			}
			account(OPEN, DEV, err, open_ok);
			break;	/* rloader is gone */
		}
		account(RL_LOAD, im->name, err, ok);
		account(UNLOAD, im->name, unload(im->name), unload_ok);
	}
}

static int rl_reload(void)
{
	int err = syscall(SYS_init_module, rl.buf, rl.len, "") ? errno : 0;

	if (err && err != EEXIST)
		complain("loading rloader again: %s\n", strerror(err));
	return err;
}

/* Unloads rloader, retrying while the last files are released. */
static int rl_unload(void)
{
	int tries, err = 0;

	for (tries = 0; tries < 50; tries++) {
		err = unload("rloader");
		if (err != EWOULDBLOCK && err != EBUSY)
			break;
		usleep(20000);
	}
	return err;
}

static void pinned(double secs)
{
	static const int ok[] = { EWOULDBLOCK, EBUSY, 0 };
	double end = now() + secs;
	unsigned int tries = 0;
	pid_t pids[2];
	int fd, err;

	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		complain("open %s: %s\n", DEV, strerror(errno));
		return;
	}
	SET(sh->stop, 0);
	SET(sh->unplugging, 0);
	pids[0] = spawn(plug_writer, 0);
	pids[1] = spawn(plug_writer, 1);
	do {
		err = unload("rloader");
		account(RMMOD_RL, "rloader", err, ok);
		if (!err) {
			complain("rmmod rloader succeeded with %s open\n", DEV);
			break;
		}
		tries++;
		usleep(10000);
	} while (now() < end);
	SET(sh->stop, 1);
	reap(pids, 2);
	close(fd);
	cleanup((const struct image *[]){ &m1, &m2 }, 2);
	err = rl_unload();
	if (err)
		complain("rmmod rloader after the files were closed: %s\n", strerror(err));
	note("%s: rmmod rloader refused %u times, then %s\n", __func__, tries,
	     err ? strerror(err) : "succeeded");
	rl_reload();
}

static void unplug(double secs)
{
	static const int ok[] = { EWOULDBLOCK, EBUSY, 0 };
	double end = now() + secs;
	unsigned int rounds = 0, tries;
	pid_t pids[3];
	int i, err;

	do {
		SET(sh->stop, 0);
		SET(sh->unplugging, 1);
		for (i = 0; i < 3; i++)
			pids[i] = spawn(plug_writer, i);
		usleep(100000);
		tries = 0;
		do {
			err = unload("rloader");
			account(RMMOD_RL, "rloader", err, ok);
			if (!err)
				break;
			tries++;
			sched_yield();
		} while (tries < 100000);
		if (err)
			complain("rmmod rloader never got between the writers: %s\n",
				 strerror(err));
		run_for(0.2);
		reap(pids, 3);
		cleanup((const struct image *[]){ &m1, &m2 }, 2);
		if (!err && loaded("rloader") && !access(DEV, F_OK))
			note("%s: rloader came back (demand loading by open)\n", __func__);
		rl_reload();
		SET(sh->unplugging, 0);
		rounds++;
	} while (now() < end);
	note("%s: %u rounds\n", __func__, rounds);
}

/* ------------------------------------------------------------------------ */

static void print_counts(void)
{
	unsigned int o, e;

	for (o = 0; o < NR_OPS; o++)
		for (e = 0; e < MAX_ERRNO; e++)
			if (sh->count[o][e])
				note("  %s: %u x %s\n", op_names[o], sh->count[o][e],
				     e ? strerror(e) : "success");
	memset(sh->count, 0, sizeof(sh->count));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(double secs);
	} scenarios[] = {
		{ "parallel: chain and unrelated writers, both loaders, readers", parallel },
		{ "samename: rloader and init_module race for one name", samename },
		{ "bind: a load binding to a module races with its rmmod", bind },
		{ "pinned: rmmod rloader fails while files are open", pinned },
		{ "unplug: rmmod rloader under writers opening the device", unplug },
	};
	const struct image *all[] = { &c, &b, &a, &m1, &m2 };
	unsigned int i, failed = 0;
	double secs, t0;

	if (argc != 8) {
		fprintf(stderr, "usage: %s SECONDS RLOADER.ko A.ko B.ko C.ko M1.ko M2.ko\n",
			argv[0]);
		return 2;
	}
	secs = atof(argv[1]) / 5;
	if (read_image(&rl, argv[2]) || read_image(&a, argv[3]) || read_image(&b, argv[4]) ||
	    read_image(&c, argv[5]) || read_image(&m1, argv[6]) || read_image(&m2, argv[7])) {
		perror("reading the modules");
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(scenarios));
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		sh->violations = 0;
		t0 = now();
		scenarios[i].fn(secs);
		cleanup(all, 5);
		if (!loaded("rloader"))
			complain("rloader is not loaded after the scenario\n");
		note("%.1f s\n", now() - t0);
		print_counts();
		if (sh->violations)
			failed++;
		printf("%sok %u %s\n", sh->violations ? "not " : "", i + 1, scenarios[i].name);
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       (unsigned int)(ARRAY_SIZE(scenarios)) - failed, failed);
	return failed ? 1 : 0;
}
