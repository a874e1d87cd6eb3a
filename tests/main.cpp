// The test runner's entry point; every other file under tests/ holds test cases.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
