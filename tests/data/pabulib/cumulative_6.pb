META
key;value
description;Hand-written example: six initiatives, ten cumulative ballots of up to 10 points
country;Chile
unit;Alto Bío Bío
instance;2026
num_projects;6
num_votes;10
budget;250000000
vote_type;cumulative
rule;equalshares
max_sum_points;10
PROJECTS
project_id;cost;name
A;120000000;Posta rural
B;80000000;Electrificación sector alto
C;60000000;Sala cuna
D;50000000;Riego tecnificado
E;30000000;Señalética turística
F;25000000;Talleres de oficios
VOTES
voter_id;vote;points
1;A,B;6,4
2;A,C;5,5
3;A;10
4;A,B,E;4,3,3
5;B,C;7,3
6;C,D;5,5
7;D,F;8,2
8;D,E,F;4,3,3
9;F;10
10;E,F;5,5
