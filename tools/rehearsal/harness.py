#!/usr/bin/python3
"""Failover rehearsal of one synthesized cluster on loopback: etcd, three Patroni members with PostgreSQL 15,
a stand-in for the operator's master Service, PgBouncer as the operator configures it, and a writer whose
acknowledged ids are checked after every round.

Usage: harness.py PLAN.json RESULTS.json   (the plan is written by rehearsal/cli.ts from dist/)

Runs as root (servers run as the `postgres` user, started with Popen(user=...) so that the PIDs held are the
real Patroni processes). The harness is a child subreaper: a killed member's postmaster and backends are
re-parented to it and reaped at once, instead of lingering as zombies that Patroni would wait on.
Everything listens on 127.0.0.1; every wait is bounded; everything started is stopped at the end.
"""
import base64
import ctypes
import json
import os
import pwd
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import psycopg2

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_INTERVAL = 0.1      # seconds between two looks at the leader key and the leader's replication
WRITE_PAUSE = 0.005        # seconds between two writes: about 100-150 acknowledged writes a second
ROUND_TIMEOUT = 150        # seconds a round may take to heal before it is reported as not healed
POD_RETURN = 10            # seconds a killed member stays away (its pod restarting), at least
REWIND_PATIENCE = 30       # seconds a member that failed pg_rewind is given before it is reinitialized
BUCKET = 0.25              # seconds per bar of the timelines

now = time.monotonic


def log(message):
    print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------------------------

class Reaper(threading.Thread):
    """Reaps every child, including processes re-parented to the harness (it is a child subreaper)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                while True:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                    if pid == 0:
                        break
            except ChildProcessError:
                pass
            time.sleep(0.02)


def children_of(pids):
    """The given PIDs and all their descendants, from /proc."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as stat:
                    fields = stat.read().rsplit(')', 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                pass
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        todo.extend(parents.get(pid, []))
    return found


def kill_tree(pids):
    """SIGKILL of the given processes and all their descendants; returns the PIDs signalled."""
    victims = children_of(pids)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return victims


def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def wait_until(condition, timeout, what, interval=0.05):
    deadline = now() + timeout
    while now() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f'timed out after {timeout} s waiting for {what}')


# ---------------------------------------------------------------------------------------------------------------
# etcd (the DCS) read through its v3 JSON gateway
# ---------------------------------------------------------------------------------------------------------------

class Etcd:
    def __init__(self, plan):
        self.url = f'http://{plan["etcd"]["host"]}:{plan["etcd"]["clientPort"]}'
        self.prefix = f'{plan["namespace"]}{plan["cluster"]}/'

    def _post(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method='POST')
        with urllib.request.urlopen(request, timeout=1) as response:
            return json.load(response)

    def get(self, key):
        """(value, lease) of the cluster's key, or (None, None)."""
        key64 = base64.b64encode((self.prefix + key).encode()).decode()
        kvs = self._post('/v3/kv/range', {'key': key64}).get('kvs', [])
        if not kvs:
            return None, None
        return base64.b64decode(kvs[0]['value']).decode(), kvs[0].get('lease')

    def lease_remaining(self, lease):
        return int(self._post('/v3/lease/timetolive', {'ID': lease}).get('TTL', -1))


# ---------------------------------------------------------------------------------------------------------------
# The cluster
# ---------------------------------------------------------------------------------------------------------------

class Cluster:
    def __init__(self, plan):
        self.plan = plan
        self.members = plan['members']
        self.by_port = {member['postgresPort']: member['name'] for member in self.members}
        self.processes = {}           # member name -> Popen of its Patroni
        self.postmasters = {}         # member name -> postmaster PID seen last
        self.others = []              # etcd, PgBouncer
        self.etcd = Etcd(plan)
        self.postgres = pwd.getpwnam('postgres')

    # -- files --
    def prepare(self):
        for folder in [self.plan['folder'], self.plan['etcd']['folder'], self.plan['pooler']['folder']] + [m['folder'] for m in self.members]:
            os.makedirs(folder, exist_ok=True)
        os.chown(self.plan['folder'], self.postgres.pw_uid, self.postgres.pw_gid)
        for member in self.members:
            folder = member['folder']
            # A self-signed certificate per pod, as Spilo's write_certificates generates one.
            subprocess.run(['openssl', 'req', '-nodes', '-new', '-x509', '-subj', '/CN=spilo.dummy.org', '-days', '2',
                            '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                            '-keyout', f'{folder}/server.key', '-out', f'{folder}/server.crt'],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(f'{folder}/patroni.yml', 'w') as config:
                json.dump(member['config'], config, indent=2)
            for name in ['', 'server.key', 'server.crt', 'patroni.yml']:
                os.chown(os.path.join(folder, name), self.postgres.pw_uid, self.postgres.pw_gid)
            os.chmod(f'{folder}/server.key', 0o600)
        pooler = self.plan['pooler']
        # The pooler image's own self-signed certificate (entrypoint.sh, without spec.tls): clients must use TLS.
        subprocess.run(['openssl', 'req', '-nodes', '-new', '-x509', '-subj', '/CN=spilo.dummy.org', '-days', '2',
                        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                        '-keyout', pooler['key'], '-out', pooler['certificate']],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f'{pooler["folder"]}/pgbouncer.ini', 'w') as ini:
            ini.write(pooler['ini'])
        with open(f'{pooler["folder"]}/userlist.txt', 'w') as users:
            users.write(f'"{pooler["user"]}" "{pooler["password"]}"\n')
        for name in ['', 'pgbouncer.ini', 'userlist.txt', pooler['key'], pooler['certificate']]:
            os.chown(os.path.join(pooler['folder'], name), self.postgres.pw_uid, self.postgres.pw_gid)
        os.chmod(f'{pooler["folder"]}/userlist.txt', 0o600)
        os.chmod(pooler['key'], 0o600)

    def _as_postgres(self, command, logfile):
        out = open(logfile, 'ab')
        try:
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    user=self.postgres.pw_uid, group=self.postgres.pw_gid, extra_groups=[],
                                    start_new_session=True, env={'PATH': '/usr/bin:/bin', 'HOME': self.plan['folder'], 'LANG': 'C.UTF-8'})
        finally:
            out.close()

    def start_etcd(self):
        etcd = self.plan['etcd']
        client = f'http://{etcd["host"]}:{etcd["clientPort"]}'
        peer = f'http://{etcd["host"]}:{etcd["peerPort"]}'
        out = open(f'{etcd["folder"]}/etcd.log', 'ab')
        self.others.append(subprocess.Popen(
            ['etcd', '--name', 'rehearsal', '--data-dir', f'{etcd["folder"]}/data', '--listen-client-urls', client,
             '--advertise-client-urls', client, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
             '--initial-cluster', f'rehearsal={peer}', '--logger', 'zap', '--log-level', 'warn'],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        out.close()
        wait_until(lambda: self._etcd_ready(), 30, 'etcd')

    def _etcd_ready(self):
        try:
            self.etcd.get('leader')
            return True
        except OSError:
            return False

    def start_member(self, name):
        member = self.member(name)
        self.processes[name] = self._as_postgres(['patroni', f'{member["folder"]}/patroni.yml'], f'{member["folder"]}/patroni.log')

    def start_pooler(self):
        pooler = self.plan['pooler']
        self.others.append(self._as_postgres(['/usr/sbin/pgbouncer', f'{pooler["folder"]}/pgbouncer.ini'], f'{pooler["folder"]}/stdout.log'))

    def member(self, name):
        return next(member for member in self.members if member['name'] == name)

    def postmaster_pid(self, name):
        try:
            with open(f'{self.member(name)["folder"]}/data/postmaster.pid') as pidfile:
                return int(pidfile.readline())
        except (OSError, ValueError):
            return None

    def kill_member(self, name):
        """SIGKILL of the member's Patroni and PostgreSQL with all their processes, as when its pod dies."""
        roots = [self.processes[name].pid]
        postmaster = self.postmaster_pid(name)
        if postmaster is not None:
            roots.append(postmaster)
        victims = kill_tree(roots)
        killed = now()
        wait_until(lambda: not any(alive(pid) for pid in victims), 10, f'the processes of {name} to die')
        return killed

    def rewind_failed(self, name):
        """Whether the member's Patroni reported a pg_rewind that failed and it is not streaming since."""
        try:
            with open(f'{self.member(name)["folder"]}/patroni.log', errors='replace') as patroni_log:
                text = patroni_log.read()
        except OSError:
            return False
        failed = max(text.rfind('Failed to rewind'), text.rfind('pg_rewind exit code=1'))
        return failed >= 0 and 'started streaming WAL' not in text[failed:] and 'restarted WAL streaming' not in text[failed:]

    def reinitialize(self, name):
        """Patroni's REST API `POST /reinitialize` (what `patronictl reinit` calls): a new base backup from the leader."""
        try:
            self.rest(name, '/reinitialize', {'force': True}, timeout=10)
        except OSError as error:
            log(f'reinitialize {name}: {error}')

    def rest(self, name, path, body, timeout):
        """POST to the member's Patroni REST API."""
        member = self.member(name)
        request = urllib.request.Request(f'http://{member["host"]}:{member["restApiPort"]}{path}',
                                         data=json.dumps(body).encode(), method='POST')
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def running(self, name):
        process = self.processes.get(name)
        return process is not None and alive(process.pid)

    def stop_all(self):
        pids = [process.pid for process in self.processes.values()]
        pids += [pid for pid in (self.postmaster_pid(m['name']) for m in self.members) if pid is not None]
        pids += [process.pid for process in self.others]
        victims = kill_tree(pids)
        try:
            wait_until(lambda: not any(alive(pid) for pid in victims), 15, 'every process to stop')
        except TimeoutError as error:
            log(str(error))

    # -- SQL over the members' Unix sockets (pg_hba `local all all trust`, as Patroni and Spilo's scripts use) --
    def connect(self, name, database='postgres'):
        member = self.member(name)
        return psycopg2.connect(host=member['folder'], port=member['postgresPort'], user=self.plan['superuser'],
                                dbname=database, connect_timeout=2)

    def sql(self, name, statement, database='postgres'):
        connection = self.connect(name, database)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()


# ---------------------------------------------------------------------------------------------------------------
# Observers: the leader key, the leader's replication, the Service stand-in and the writer
# ---------------------------------------------------------------------------------------------------------------

class Observer(threading.Thread):
    """Every SAMPLE_INTERVAL: the leader key (who holds it, its lease), and on the leader the streaming replicas."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.lock = threading.Lock()
        self.leader = None
        self.lease = None
        self.sync = []
        self.async_ = []
        self.samples = []       # (time, leader, [sync names], [async names])
        self.stopping = False
        self.connections = {}

    def run(self):
        while not self.stopping:
            started = now()
            try:
                leader, lease = self.cluster.etcd.get('leader')
                sync_key = json.loads(self.cluster.etcd.get('sync')[0] or '{}')
            except (OSError, ValueError):
                leader, lease, sync_key = None, None, {}
            sync, async_ = [], []
            if leader is not None and self.cluster.running(leader):
                try:
                    rows = self._replication(leader)
                    sync = sorted(name for name, state, mode in rows if state == 'streaming' and mode in ('sync', 'quorum'))
                    async_ = sorted(name for name, state, mode in rows if state == 'streaming' and mode == 'async')
                except psycopg2.Error:
                    self._forget(leader)
            standbys = sync_key.get('sync_standby') or []
            standbys = standbys.split(',') if isinstance(standbys, str) else list(standbys)
            with self.lock:
                self.leader, self.lease, self.sync, self.async_ = leader, lease, sync, async_
                # The standbys Patroni may promote: the DCS names them, for this leader.
                self.promotable = standbys if sync_key.get('leader') == leader else []
                self.samples.append((now(), leader, sync, async_))
            time.sleep(max(0, SAMPLE_INTERVAL - (now() - started)))

    def _replication(self, name):
        connection = self.connections.get(name)
        if connection is None or connection.closed:
            connection = self.cluster.connect(name)
            connection.autocommit = True
            self.connections[name] = connection
        with connection.cursor() as cursor:
            cursor.execute('SET statement_timeout = 1000')
            cursor.execute("SELECT application_name, state, sync_state FROM pg_stat_replication WHERE NOT pg_is_in_recovery()")
            return cursor.fetchall()

    def _forget(self, name):
        connection = self.connections.pop(name, None)
        if connection is not None:
            try:
                connection.close()
            except psycopg2.Error:
                pass

    def state(self):
        with self.lock:
            return self.leader, self.lease, list(self.sync), list(self.async_)

    def healthy(self, members):
        """A leader streaming to one synchronous and one asynchronous member, the synchronous one named in the DCS
        (only then can Patroni fail over to it)."""
        with self.lock:
            leader, sync, async_, promotable = self.leader, list(self.sync), list(self.async_), list(getattr(self, 'promotable', []))
        return (leader is not None and len(sync) == 1 and len(async_) == len(members) - 2
                and set(sync + async_ + [leader]) == set(members) and sync[0] in promotable)


class ServiceStandIn(threading.Thread):
    """The operator's master Service: each new connection goes to the member holding the leader key, as
    Kubernetes routes the Service to the Endpoints that Patroni's leader writes. Open connections stay where
    they are, as with kube-proxy."""

    def __init__(self, plan, observer):
        super().__init__(daemon=True)
        self.observer = observer
        self.ports = {member['name']: member['postgresPort'] for member in plan['members']}
        self.server = socket.create_server((plan['service']['host'], plan['service']['port']))
        self.server.settimeout(0.2)
        self.host = plan['service']['host']
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                client, _ = self.server.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()
        self.server.close()

    def _forward(self, client):
        leader = self.observer.state()[0]
        try:
            upstream = socket.create_connection((self.host, self.ports[leader]), timeout=2) if leader else None
        except OSError:
            upstream = None
        if upstream is None:
            client.close()
            return
        upstream.settimeout(None)
        sockets = [client, upstream]
        try:
            while not self.stopping:
                readable, _, _ = select.select(sockets, [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()


# SQLSTATE classes after which a statement may or may not have committed: the connection or the server went away.
IN_DOUBT_CLASSES = ('08', '57')


class Writer(threading.Thread):
    """Inserts increasing ids through PgBouncer as the application role; an id is acknowledged when its commit
    returned. A statement whose connection died under it is in doubt (it may have committed)."""

    def __init__(self, plan, by_port):
        super().__init__(daemon=True)
        self.plan = plan
        self.by_port = by_port
        self.lock = threading.Lock()
        self.acks = []          # (id, acknowledged at, member, sent at)
        self.in_doubt = []      # (id, at, error)
        self.refused = 0
        self.next_id = 1
        self.stopping = False

    def run(self):
        connection = None
        while not self.stopping:
            if connection is None:
                try:
                    connection = self._connect()
                except psycopg2.Error:
                    time.sleep(0.05)
                    continue
            ident = self.next_id
            self.next_id += 1
            sent = now()
            try:
                with connection.cursor() as cursor:
                    cursor.execute('INSERT INTO rehearsal_writes (id) VALUES (%s) RETURNING inet_server_port()', (ident,))
                    port = cursor.fetchone()[0]
                with self.lock:
                    self.acks.append((ident, now(), self.by_port.get(port), sent))
            except psycopg2.Error as error:
                code = getattr(error, 'pgcode', None)
                with self.lock:
                    if code is None or code[:2] in IN_DOUBT_CLASSES:
                        self.in_doubt.append((ident, now(), (str(error).strip().splitlines() or [''])[0]))
                    else:
                        self.refused += 1
                try:
                    connection.close()
                except psycopg2.Error:
                    pass
                connection = None
                time.sleep(0.02)
                continue
            time.sleep(WRITE_PAUSE)
        if connection is not None:
            connection.close()

    def _connect(self):
        pooler, app = self.plan['pooler'], self.plan['application']
        connection = psycopg2.connect(host=pooler['host'], port=pooler['port'], user=app['user'], password=app['password'],
                                      dbname=app['database'], connect_timeout=2, sslmode='require')
        connection.autocommit = True
        return connection

    def snapshot(self):
        with self.lock:
            return list(self.acks), list(self.in_doubt), self.refused


# ---------------------------------------------------------------------------------------------------------------
# The rehearsal
# ---------------------------------------------------------------------------------------------------------------

class Rehearsal:
    def __init__(self, plan, scenarios):
        self.plan = plan
        self.scenarios = scenarios
        self.cluster = Cluster(plan)
        self.names = [member['name'] for member in plan['members']]
        self.timings = plan['timings']
        self.rounds = []
        self.started = now()

    def run(self):
        reaper = Reaper()
        cluster = self.cluster
        cluster.prepare()
        reaper.start()
        self.observer = Observer(cluster)
        try:
            t0 = now()
            cluster.start_etcd()
            for name in self.names:
                cluster.start_member(name)
            self.observer.start()
            wait_until(lambda: self.observer.healthy(self.names), 120, 'a leader with one synchronous and one asynchronous replica')
            bootstrap = now() - t0
            log(f'{self.plan["environment"]}: cluster healthy after {bootstrap:.1f} s: {self.observer.state()}')
            self._create_roles()
            self.service = ServiceStandIn(self.plan, self.observer)
            self.service.start()
            cluster.start_pooler()
            self.writer = Writer(self.plan, cluster.by_port)
            self.writer.start()
            wait_until(lambda: len(self.writer.snapshot()[0]) > 50, 30, 'the writer to write through PgBouncer')
            time.sleep(2)
            for scenario in self.scenarios:
                getattr(self, 'round_' + scenario.replace('-', '_'))()
                time.sleep(2)
            self.writer.stopping = True
            self.writer.join(10)
            return {'bootstrapSeconds': round(bootstrap, 2), 'rounds': self.rounds}
        finally:
            self.observer.stopping = True
            if hasattr(self, 'writer'):
                self.writer.stopping = True
            if hasattr(self, 'service'):
                self.service.stopping = True
            cluster.stop_all()
            reaper.stopping = True

    def _create_roles(self):
        plan, leader = self.plan, self.observer.state()[0]
        app = plan['application']
        for user, flags in plan['users'].items():
            attributes = ' '.join(['LOGIN'] + [flag.upper() for flag in flags])
            password = app['password'] if user == app['user'] else os.urandom(8).hex()
            self.cluster.sql(leader, f"CREATE ROLE {user} WITH {attributes} PASSWORD '{password}'")
        for database, owner in plan['databases'].items():
            self.cluster.sql(leader, f'CREATE DATABASE {database} OWNER {owner}')
        self.cluster.sql(leader, f"CREATE ROLE {plan['pooler']['user']} LOGIN PASSWORD '{plan['pooler']['password']}'")
        for database in ['postgres'] + list(plan['databases']):
            self.cluster.sql(leader, plan['poolerLookupSql'], database)
        self.cluster.sql(leader, f'CREATE TABLE rehearsal_writes (id bigint PRIMARY KEY, at timestamptz DEFAULT now())', app['database'])
        self.cluster.sql(leader, f'ALTER TABLE rehearsal_writes OWNER TO {app["user"]}', app['database'])

    # -- helpers of the rounds --
    def _sync_standby(self):
        return wait_until(lambda: (self.observer.state()[2] or [None])[0], 30, 'a synchronous standby')

    def _wait_new_leader(self, old, timeout):
        return wait_until(lambda: (lambda leader: leader if leader not in (None, old) else None)(self.observer.state()[0]),
                          timeout, f'a new leader after {old}')

    def _return_later(self, name, killed, leader=False):
        """Starts a killed member again, like its pod coming back: POD_RETURN seconds after the kill, and a killed
        leader only once its lock is no longer its own (expired or taken), so that the failover is what is measured
        and not the old leader resuming with its own lock. At the latest ttl + 60 s after the kill."""
        earliest, latest = killed + POD_RETURN, killed + self.timings['ttl'] + 60

        def restart():
            while now() < latest and (now() < earliest or (leader and self.observer.state()[0] == name)):
                time.sleep(0.05)
            self.cluster.start_member(name)
            self.restarts[name] = now()
        thread = threading.Thread(target=restart, daemon=True)
        thread.start()
        return thread

    def _first_ack_after(self, moment, member=None, exclude=()):
        """The first write sent after `moment` and acknowledged (by `member`, or by none of `exclude`)."""
        def find():
            for ident, at, by, sent in self.writer.snapshot()[0]:
                if sent > moment and (member is None or by == member) and by not in exclude:
                    return (ident, at, by)
            return None
        return find

    def _kill(self, name):
        at = self.cluster.kill_member(name)
        self.killed.add(name)
        log(f'killed {name} (Patroni and PostgreSQL with all their processes, SIGKILL)')
        return at

    def _after_refresh(self, leader):
        """Waits until `leader` has just refreshed its lock (its lease's remaining time went up), the worst moment to die."""
        _, lease = self.cluster.etcd.get('leader')
        previous = self.cluster.etcd.lease_remaining(lease)
        deadline = now() + self.timings['ttl'] + 5
        while now() < deadline:
            remaining = self.cluster.etcd.lease_remaining(lease)
            if remaining > previous:
                return now()
            previous = remaining
            time.sleep(0.02)
        raise TimeoutError(f'{leader} did not refresh its lock within ttl')

    def _finish(self, name, events, kills, leader_before, expect_new_leader, last_disruption=None):
        """Waits for the heal, then measures the round."""
        start = events[0][1]
        for member, thread in kills:
            thread.join(ROUND_TIMEOUT)
        reinitialized = []

        def healed_or_repair():
            if self.observer.healthy(self.names) and all(self.cluster.running(n) for n in self.names):
                return True
            for member, restarted in self.restarts.items():
                if member not in reinitialized and now() - restarted > REWIND_PATIENCE and self.cluster.rewind_failed(member):
                    log(f'{member} is stuck after a failed pg_rewind: reinitializing it (patronictl reinit)')
                    self.cluster.reinitialize(member)
                    reinitialized.append(member)
            return False
        try:
            wait_until(healed_or_repair, ROUND_TIMEOUT, 'the cluster to heal', interval=0.1)
            healed = now()
        except TimeoutError:
            healed = None
        wait_until(self._first_ack_after(healed or now()), 30, 'a write after the heal')
        leader = self.observer.state()[0]
        time.sleep(1)
        acks, in_doubt, refused = self.writer.snapshot()
        present = {row[0] for row in self.cluster.sql(leader, 'SELECT id FROM rehearsal_writes', self.plan['application']['database'])}
        acknowledged = {ack[0] for ack in acks}
        lost = sorted(acknowledged - present)
        round_doubt = [d for d in in_doubt if d[1] >= start - 0.5]
        window_end = healed or now()
        window = [ack[1] for ack in acks if start - 3 <= ack[1] <= window_end + 2]
        gaps = [(b - a, a) for a, b in zip(window, window[1:])]
        largest, gap_start = max(gaps) if gaps else (None, None)
        unavailable = sum(gap for gap, _ in gaps if gap >= 0.5)
        # The first write sent after the (last) disruption and acknowledged by the member that leads now.
        first_after = self._first_ack_after(last_disruption or start, leader if expect_new_leader else None)()
        reached = None
        if expect_new_leader:
            # ... and it went through PgBouncer: no write after the disruption went anywhere else first.
            first_through = self._first_ack_after(last_disruption or start)()
            reached = first_through is not None and first_through[2] == leader and leader != leader_before
        no_sync = self._acks_without_sync(acks, start - 0.5, window_end)
        samples = [(t, l, s, a) for t, l, s, a in self.observer.samples if start - 3 <= t <= window_end + 2]
        result = {
            'scenario': name,
            'events': [{'what': what, 'at': round(at - start, 3)} for what, at in events],
            'largestGapSeconds': round(largest, 3) if largest is not None else None,
            'unavailableSeconds': round(unavailable, 3),
            'firstAckAfterEventSeconds': round(first_after[1] - start, 3) if first_after else None,
            'healSeconds': round(healed - start, 3) if healed else None,
            'acknowledgedTotal': len(acknowledged),
            'acknowledgedLost': len(lost),
            'lostIds': lost[:20],
            'inDoubt': len(round_doubt),
            'inDoubtCommitted': len([d for d in round_doubt if d[0] in present]),
            'refused': refused,
            'acknowledgedWithoutSyncStandby': no_sync,
            'leaderBefore': leader_before,
            'leaderAfter': leader,
            'reachedNewLeaderThroughPgBouncer': reached,
            'reinitialized': reinitialized,
            'rejoinSeconds': {member: round(self._rejoined(member, at) - at, 3) if self._rejoined(member, at) else None
                              for member, at in self.restarts.items() if member != leader},
            'timeline': self._timeline(acks, start - 3, window_end + 2, start),
            'leaders': self._leader_changes(samples, start),
        }
        self.rounds.append(result)
        log(f'{name}: ' + json.dumps({k: v for k, v in result.items() if k not in ('timeline', 'leaders', 'lostIds')}))
        return result

    def _acks_without_sync(self, acks, start, end):
        """Writes acknowledged by a leader that, in the samples before and after (100 ms apart), streamed to no
        synchronous standby."""
        samples = [(t, l, s) for t, l, s, _ in self.observer.samples if start - 1 <= t <= end + 1]
        count, index = 0, 0
        for ack in acks:
            at, member = ack[1], ack[2]
            if at < start or at > end or not samples:
                continue
            while index + 1 < len(samples) and samples[index + 1][0] <= at:
                index += 1
            around = [samples[index], samples[min(index + 1, len(samples) - 1)]]
            if all(leader == member and not sync for _, leader, sync in around):
                count += 1
        return count

    def _rejoined(self, member, since):
        for t, _, sync, async_ in self.observer.samples:
            if t >= since and (member in sync or member in async_):
                return t
        return None

    def _timeline(self, acks, start, end, zero):
        buckets = [0] * max(1, int((end - start) / BUCKET) + 1)
        for ack in acks:
            if start <= ack[1] <= end:
                buckets[int((ack[1] - start) / BUCKET)] += 1
        return {'startSeconds': round(start - zero, 3), 'bucketSeconds': BUCKET, 'writesPerBucket': buckets}

    def _leader_changes(self, samples, zero):
        changes, last = [], object()
        for t, leader, sync, async_ in samples:
            state = (leader, tuple(sync), tuple(async_))
            if state != last:
                changes.append({'at': round(t - zero, 3), 'leader': leader, 'sync': sync, 'async': async_})
                last = state
        return changes

    # -- the rounds --
    def round_leader_kill_after_refresh(self):
        """SIGKILL of the leader just after it refreshed its lock: the lock lives a full ttl."""
        self.restarts, self.killed = {}, set()
        leader = self.observer.state()[0]
        refreshed = self._after_refresh(leader)
        killed = self._kill(leader)
        thread = self._return_later(leader, killed, leader=True)
        new = self._wait_new_leader(leader, self.timings['ttl'] + 60)
        lock_taken = now()
        first = wait_until(self._first_ack_after(killed, new), 60, f'a write acknowledged by {new}')
        events = [('leader killed', killed), ('lock refreshed', refreshed), ('lock expires', refreshed + self.timings['ttl']),
                  ('new leader holds the lock', lock_taken), ('first write on the new leader', first[1])]
        result = self._finish('leader-kill-after-refresh', events, [(leader, thread)], leader, True)
        result['promotionAfterExpirySeconds'] = round(first[1] - (refreshed + self.timings['ttl']), 3)
        result['kubernetesWorstCaseSeconds'] = round(self.timings['ttl'] + self.timings['loopWait'] + result['promotionAfterExpirySeconds'], 3)

    def round_sync_standby_kill(self):
        """SIGKILL of the synchronous standby: the leader must make the other replica synchronous."""
        self.restarts, self.killed = {}, set()
        leader = self.observer.state()[0]
        standby = self._sync_standby()
        killed = self._kill(standby)
        thread = self._return_later(standby, killed)
        events = [('synchronous standby killed', killed)]
        self._finish('sync-standby-kill', events, [(standby, thread)], leader, False)

    def round_second_failure(self):
        """SIGKILL of the leader, then of the new leader as soon as it acknowledged its first write."""
        self.restarts, self.killed = {}, set()
        first_leader = self.observer.state()[0]
        killed = self._kill(first_leader)
        first_thread = self._return_later(first_leader, killed, leader=True)
        second_leader = self._wait_new_leader(first_leader, self.timings['ttl'] + 60)
        first_ack = wait_until(self._first_ack_after(killed, second_leader), 90, f'a write acknowledged by {second_leader}')
        killed_again = self._kill(second_leader)
        second_thread = self._return_later(second_leader, killed_again, leader=True)
        # Whoever leads next: the other replica if Patroni lets it, else the second leader once its pod is back.
        third_ack = wait_until(self._first_ack_after(killed_again), self.timings['ttl'] + 120, 'a write acknowledged after the second failure')
        events = [('leader killed', killed), ('first write on the new leader', first_ack[1]), ('new leader killed', killed_again),
                  (f'first write after the second failure ({third_ack[2]})', third_ack[1])]
        if second_leader in self.restarts:
            events.append((f'{second_leader} back', self.restarts[second_leader]))
        result = self._finish('second-failure', events, [(first_leader, first_thread), (second_leader, second_thread)], first_leader, True, killed_again)
        result['secondOutageSeconds'] = round(third_ack[1] - killed_again, 3)
        result['firstOutageSeconds'] = round(first_ack[1] - killed, 3)
        result['leaderAfterSecondFailure'] = third_ack[2]

    def round_replicas_down(self):
        """SIGKILL of both replicas: the cost of synchronous_mode_strict (writes wait until a replica is back)."""
        self.restarts, self.killed = {}, set()
        leader = self.observer.state()[0]
        replicas = [name for name in self.names if name != leader]
        killed = self._kill(replicas[0])
        self._kill(replicas[1])
        threads = [(name, self._return_later(name, killed)) for name in replicas]
        events = [('both replicas killed', killed)]
        self._finish('replicas-down', events, threads, leader, False)

    def round_switchover(self):
        """A planned switchover to the synchronous standby through Patroni's REST API."""
        self.restarts, self.killed = {}, set()
        leader = self.observer.state()[0]
        candidate = self._sync_standby()
        asked = now()
        self.cluster.rest(leader, '/switchover', {'leader': leader, 'candidate': candidate}, timeout=60)
        self._wait_new_leader(leader, 60)
        moved = now()
        first = wait_until(self._first_ack_after(asked, candidate), 60, f'a write acknowledged by {candidate}')
        events = [('switchover requested', asked), ('new leader holds the lock', moved), ('first write on the new leader', first[1])]
        self._finish('switchover', events, [], leader, True, moved)


PORTS_TAKEN = 3


class Stopped(Exception):
    """SIGTERM: everything started is stopped, and the results say so."""


def stop(*_):
    raise Stopped('stopped by SIGTERM')


def plan_ports(plan):
    ports = [plan['etcd']['clientPort'], plan['etcd']['peerPort'], plan['service']['port'], plan['pooler']['port']]
    return ports + [m[key] for m in plan['members'] for key in ('postgresPort', 'restApiPort')]


def port_taken(host, port):
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
            return False
        except OSError:
            return True


def main():
    plan_file, results_file = sys.argv[1], sys.argv[2]
    scenarios = sys.argv[3].split(',') if len(sys.argv) > 3 else ['leader-kill-after-refresh', 'sync-standby-kill', 'replicas-down', 'second-failure', 'switchover']
    with open(plan_file) as source:
        plan = json.load(source)
    taken = [port for port in plan_ports(plan) if port_taken(plan['etcd']['host'], port)]
    if taken:
        log(f'ports taken: {taken}')
        sys.exit(PORTS_TAKEN)
    # A TERM (Ctrl-C, a CI timeout) stops everything started, through the finally blocks.
    signal.signal(signal.SIGTERM, stop)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_CHILD_SUBREAPER) failed')
    started = now()
    results = {'environment': plan['environment'], 'cluster': plan['cluster'], 'timings': plan['timings']}
    try:
        results.update(Rehearsal(plan, scenarios).run())
    except Exception as error:  # reported in the results, and the exit code says it failed
        results['error'] = f'{type(error).__name__}: {error}'
        log(results['error'])
    results['seconds'] = round(now() - started, 1)
    with open(results_file, 'w') as target:
        json.dump(results, target, indent=1)
    sys.exit(1 if 'error' in results else 0)


if __name__ == '__main__':
    main()
