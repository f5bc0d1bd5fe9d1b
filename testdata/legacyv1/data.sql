-- Rows as the original service left them after a few weeks of use. Times
-- are what MySQL NOW() wrote on a server in Asia/Shanghai (UTC+8). Password
-- hashes are real Werkzeug 2.2.2 hashes from testdata/password; the test
-- knows each password. The original had no unique keys, so a name or an
-- email could repeat.
USE {{user}};
INSERT INTO `data` (id, created_at, last_updated, username, password, email, `group`, nickname) VALUES
-- the admin; password "correct horse battery"
(1, '2021-07-30 21:04:11', '2021-07-30 21:04:11', 'captain', 'pbkdf2:sha256:260000$m3dCWUBWUNem7DnB$c4c80c2b3246f13f53ad903285786ee5aeb995023a3427154156d4436c01a75f', 'captain@seatide.example', 'admin', NULL),
-- a nickname set by the admin UI; password "pass1234"
(2, '2021-08-01 20:15:00', '2021-08-03 09:12:45', 'alex', 'pbkdf2:sha256:150000$vUoPepwsZ0OmYSze$d6eaa9b6e84837089cb627d9128bf5ee9a231db8db5a8474fc231bd8afe567a8', 'alex@example.com', 'std', 'Alex'),
-- a unicode password "密码-ünïcode-1" and nickname
(3, '2021-08-02 00:30:59', '2021-08-02 00:30:59', 'mei', 'pbkdf2:sha256:260000$4FgrAOsujszWpDOh$574762d5b9f99f9a2cde166094a8193bccbd3feb8000c6a57455e7916b08552e', 'mei@example.com', 'std', '小梅'),
-- a password shorter than today's minimum, "short"; the nickname was cleared to ''
(4, '2021-08-02 11:00:00', '2021-08-05 18:00:00', 'old.timer', 'pbkdf2:sha256:1000$3nZLRERLoMz1YuxJ$d2f5c6b614f0c7ec0491f7a8f4ec66ba430314723a4b89cdfb26bf524caa1ebf', 'old.timer@example.com', 'std', ''),
-- a group the admin typed by hand; sha1 hash, password "abc12345"
(5, '2021-08-03 14:22:10', '2021-08-09 10:00:00', 'vip_member', 'pbkdf2:sha1:50000$rkTjzaTDmmxWapmD$7205bbbc35a5cfb7e409d6d70b1b4a300d1f3f40', 'vip@example.com', 'vip', 'VIP'),
-- a name the original accepted and seatide does not
(6, '2021-08-04 08:00:00', '2021-08-04 08:00:00', 'bad name', 'pbkdf2:sha512:10000$GR9u2i5UVfKpJ41e$64d9f9a594c160af8cd3c7a1d3a2b6011edba74e7fcc9e42e429e1dccda615e596668da521b32cb310731707b8cc32123e6b20b130f4c4de4c42131aad540448', 'bad@example.com', 'std', NULL),
-- an address without a domain dot
(7, '2021-08-04 09:30:00', '2021-08-04 09:30:00', 'localuser', 'pbkdf2:sha1:50000$rkTjzaTDmmxWapmD$7205bbbc35a5cfb7e409d6d70b1b4a300d1f3f40', 'nobody@localhost', 'std', NULL),
-- the same name twice (sign-up raced its own existence check)
(8, '2021-08-05 10:00:00', '2021-08-05 10:00:00', 'Alex', 'pbkdf2:sha256:150000$vUoPepwsZ0OmYSze$d6eaa9b6e84837089cb627d9128bf5ee9a231db8db5a8474fc231bd8afe567a8', 'alex.other@example.com', 'std', NULL),
-- the same email twice, differing in case
(9, '2021-08-06 12:00:00', '2021-08-06 12:00:00', 'mei2', 'pbkdf2:sha256:260000$4FgrAOsujszWpDOh$574762d5b9f99f9a2cde166094a8193bccbd3feb8000c6a57455e7916b08552e', 'MEI@example.com', 'std', NULL);

USE {{ecs}};
-- The instance alex created on 2021-08-10 is still up.
INSERT INTO `status` (id, instance, last_updated, ip) VALUES
(1, 'i-uf6f0ah1onvc2ltyk9qz', '2021-08-11 19:00:00', '47.103.88.21');

INSERT INTO history (id, created_at, created_by, instance, action) VALUES
(1, '2021-08-02 19:00:03', 'captain', 'i-uf6a1rz3q4pk8m2wd0xe', 'create'),
(2, '2021-08-02 19:00:05', 'captain', 'i-uf6a1rz3q4pk8m2wd0xe', 'init'),
(3, '2021-08-02 23:41:10', 'captain', 'i-uf6a1rz3q4pk8m2wd0xe', 'stop'),
(4, '2021-08-03 19:02:44', 'captain', 'i-uf6a1rz3q4pk8m2wd0xe', 'start'),
-- deleted in the console at night; the monitor noticed
(5, '2021-08-04 02:10:00', '_monitor', 'i-uf6a1rz3q4pk8m2wd0xe', 'udelete'),
(6, '2021-08-06 18:30:12', 'captain', 'i-uf6b9sd0c2xw7n5mq3ty', 'create'),
(7, '2021-08-06 18:30:13', 'captain', 'i-uf6b9sd0c2xw7n5mq3ty', 'init'),
(8, '2021-08-06 23:59:59', 'captain', 'i-uf6b9sd0c2xw7n5mq3ty', 'stop'),
(9, '2021-08-07 00:00:01', 'captain', 'i-uf6b9sd0c2xw7n5mq3ty', 'delete'),
(10, '2021-08-10 20:00:00', 'alex', 'i-uf6f0ah1onvc2ltyk9qz', 'create'),
(11, '2021-08-10 20:00:02', 'alex', 'i-uf6f0ah1onvc2ltyk9qz', 'init'),
(12, '2021-08-11 00:30:00', 'captain', 'i-uf6f0ah1onvc2ltyk9qz', 'stop'),
(13, '2021-08-11 19:00:00', 'captain', 'i-uf6f0ah1onvc2ltyk9qz', 'start');

INSERT INTO cmd_history (id, created_at, created_by, command_id, invocation_id) VALUES
(1, '2021-08-02 19:01:30', 'captain', 'c-hz01ym3bqkr4vs0', 't-hz01ym3bvwxmo8w'),
(2, '2021-08-06 18:31:40', 'captain', 'c-hz02kd8w1nq7ce3', 't-hz02kd8w5rtz0ya'),
(3, '2021-08-10 20:01:35', 'alex', 'c-hz03pq4z7mx2fb9', 't-hz03pq4zb6yj1ku');
