"""Citizens' reports of problems in the city and in pilots, and Open311 for other city apps."""
