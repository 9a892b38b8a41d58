/*
 * delay-link: a point-to-point IP link between two network namespaces that delays every packet
 * by a fixed time in each direction. Why it exists: this kernel has no `netem` qdisc, so delay is
 * made in user space. Why C and not Node: Node cannot issue the TUNSETIFF ioctl or setns(2), and
 * a compiled loop keeps the timing within ~0.1 ms at tens of thousands of packets per second.
 *
 *   usage: delay-link <nsA> <ifA> <nsB> <ifB> <delay A->B us> <delay B->A us>
 *
 *   nsA/ifA ──read──▶ [FIFO, release at t+delayAB] ──write──▶ ifB/nsB
 *   nsA/ifA ◀──write── [FIFO, release at t+delayBA] ◀──read── ifB/nsB
 *
 * It enters nsA (/run/netns/<nsA>) and creates TUN ifA, enters nsB and creates TUN ifB, prints
 * "ready" and copies packets until SIGTERM/SIGINT (SIGUSR1 prints a counters line on stdout:
 * "stats <A->B forwarded> <A->B dropped> <B->A forwarded> <B->A dropped>") or until its parent dies (PR_SET_PDEATHSIG),
 * so an aborted lab never leaves it running. The devices vanish when it exits (not persistent).
 * Delay is constant per direction, so a FIFO ring is already in release order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* Room for a 1500-byte MTU packet with margin; the lab keeps the TUN MTU at 1500. */
#define SLOT_BYTES 2048
/* 8192 packets in flight per direction: 12 MB at MTU 1500, i.e. ~5 Gbit/s at 20 ms, beyond
 * anything two shared cores can push; a full ring drops, like a real router's queue. */
#define SLOTS 8192
/* Read at most this many packets per wake-up per side so one busy direction cannot starve the
 * other's release deadlines. */
#define READ_BATCH 64

struct slot {
  uint64_t due_ns;
  uint16_t len;
  unsigned char data[SLOT_BYTES];
};

struct queue {
  struct slot *slots;
  uint32_t head, count;
  uint64_t delay_ns, forwarded, dropped;
};

static volatile sig_atomic_t stop_requested = 0, stats_requested = 0;
static void on_signal(int sig) {
  if (sig == SIGUSR1) stats_requested = 1;
  else stop_requested = 1;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "delay-link: %s %s: %s\n", what, detail, strerror(errno));
  exit(1);
}

static void enter_netns(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open network namespace", path);
  if (setns(fd, CLONE_NEWNET) < 0) die("cannot enter network namespace", path);
  close(fd);
}

static int open_tun(const char *ifname) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("cannot open", "/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("cannot create TUN device", ifname);
  return fd;
}

static void drain_due(struct queue *q, int out_fd, uint64_t now) {
  while (q->count > 0 && q->slots[q->head].due_ns <= now) {
    struct slot *s = &q->slots[q->head];
    /* A failed write (device down, queue full) loses the packet, as a real link would. */
    if (write(out_fd, s->data, s->len) == (ssize_t)s->len) q->forwarded++;
    else q->dropped++;
    q->head = (q->head + 1) % SLOTS;
    q->count--;
  }
}

static void read_batch(struct queue *q, int in_fd) {
  for (int i = 0; i < READ_BATCH; i++) {
    unsigned char scratch[SLOT_BYTES];
    struct slot *s = q->count < SLOTS ? &q->slots[(q->head + q->count) % SLOTS] : NULL;
    ssize_t n = read(in_fd, s ? s->data : scratch, SLOT_BYTES);
    if (n <= 0) return; /* EAGAIN: nothing more for now */
    if (!s) { q->dropped++; continue; }
    s->len = (uint16_t)n;
    s->due_ns = now_ns() + q->delay_ns;
    q->count++;
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: delay-link <nsA> <ifA> <nsB> <ifB> <delayAB_us> <delayBA_us>\n");
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  /* A link must not stall because the machine is busy: on a loaded 2-core box a normal-priority
   * helper is descheduled for tens of ms, the TUN queue overflows and the delay stretches. A low
   * real-time priority fixes that; the loop always sleeps in ppoll, so it cannot hog a core, and
   * the kernel's RT throttling bounds it anyway. Without the privilege we run as we are. */
  struct sched_param sp = {.sched_priority = 10};
  sched_setscheduler(0, SCHED_FIFO, &sp);
  /* Default timer slack is 50 us; 1 us keeps wake-ups on time without busy-waiting. */
  prctl(PR_SET_TIMERSLACK, 1000UL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);

  struct queue q[2];
  for (int i = 0; i < 2; i++) {
    memset(&q[i], 0, sizeof q[i]);
    q[i].slots = calloc(SLOTS, sizeof(struct slot));
    if (!q[i].slots) die("out of memory", "");
    q[i].delay_ns = strtoull(argv[5 + i], NULL, 10) * 1000ull;
  }
  enter_netns(argv[1]);
  int fd_a = open_tun(argv[2]);
  enter_netns(argv[3]);
  int fd_b = open_tun(argv[4]);
  printf("ready\n");
  fflush(stdout);

  /* q[0]: A -> B, q[1]: B -> A */
  struct pollfd fds[2] = {{.fd = fd_a, .events = POLLIN}, {.fd = fd_b, .events = POLLIN}};
  while (!stop_requested) {
    if (stats_requested) {
      stats_requested = 0;
      printf("stats %llu %llu %llu %llu\n", (unsigned long long)q[0].forwarded, (unsigned long long)q[0].dropped,
             (unsigned long long)q[1].forwarded, (unsigned long long)q[1].dropped);
      fflush(stdout);
    }
    uint64_t now = now_ns();
    drain_due(&q[0], fd_b, now);
    drain_due(&q[1], fd_a, now);
    struct timespec timeout, *timeout_p = NULL;
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < 2; i++)
      if (q[i].count > 0 && q[i].slots[q[i].head].due_ns < next) next = q[i].slots[q[i].head].due_ns;
    if (next != UINT64_MAX) {
      uint64_t wait = next > now ? next - now : 0;
      timeout.tv_sec = (time_t)(wait / 1000000000ull);
      timeout.tv_nsec = (long)(wait % 1000000000ull);
      timeout_p = &timeout;
    }
    int ready = ppoll(fds, 2, timeout_p, NULL);
    if (ready < 0 && errno != EINTR) die("poll failed", "");
    if (ready <= 0) continue;
    if (fds[0].revents & POLLIN) read_batch(&q[0], fd_a);
    if (fds[1].revents & POLLIN) read_batch(&q[1], fd_b);
    if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) break;
  }
  fprintf(stderr, "delay-link: A->B forwarded %llu dropped %llu; B->A forwarded %llu dropped %llu\n",
          (unsigned long long)q[0].forwarded, (unsigned long long)q[0].dropped,
          (unsigned long long)q[1].forwarded, (unsigned long long)q[1].dropped);
  return 0;
}
