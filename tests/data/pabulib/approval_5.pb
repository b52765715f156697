META
key;value
description;Hand-written example: five initiatives, twelve approval ballots
country;Chile
unit;Limarí-Choapa
instance;2026
num_projects;5
num_votes;12
budget;100000000
vote_type;approval
rule;greedy
min_length;1
max_length;3
PROJECTS
project_id;cost;name;category;votes
1;50000000;Agua potable rural;agua;7
2;30000000;Sede vecinal;comunidad;4
3;40000000;Camino ganadero;caminos;3
4;20000000;Huerto escolar;educación;3
10;30000000;Centro de acopio caprino;producción;4
VOTES
voter_id;vote;age;sex
v1;1,2;34;F
v2;1,2;51;M
v3;1,2;47;F
v4;1,2,3;29;M
v5;1,10;62;F
v6;1,10;38;M
v7;1;44;F
v8;10,4;23;F
v9;10,4;57;M
v10;3,4;41;F
v11;3;36;M
v12;;70;F
