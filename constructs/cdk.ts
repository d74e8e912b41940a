// The one place cdktf is imported. Moving to its community fork (cdktn) is a change to this line
// and to package.json; see ../shared contracts on why that is not possible on Node 20 today.
export * from "cdktf";
