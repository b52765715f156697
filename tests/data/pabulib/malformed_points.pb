META
key;value
description;Malformed on purpose: voter 3 gives two projects but three amounts of points
num_projects;3
num_votes;3
budget;100
vote_type;cumulative
PROJECTS
project_id;cost;name
1;40;Uno
2;50;Dos
3;60;Tres
VOTES
voter_id;vote;points
1;1,2;5,5
2;3;10
3;1,3;4,4,2
