"""Regional analysis: disparity, dynamics, convergence, spatial, coupling, obstacles, types."""
