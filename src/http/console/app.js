// The console's entry point.
document.title = "StemeDB console";
