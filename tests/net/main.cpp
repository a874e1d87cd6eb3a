// The net test runner's entry point; every other file under tests/net/ holds test cases.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
